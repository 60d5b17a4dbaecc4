// What an application repository needs in its `Deploy` target, under one import.
@_exported import BerthCloudflare
@_exported import BerthCompose
@_exported import BerthCore
@_exported import BerthDeploy
@_exported import BerthDiagram
@_exported import BerthGateway
@_exported import BerthMonitoring
@_exported import BerthRendering
@_exported import BerthSwarm
