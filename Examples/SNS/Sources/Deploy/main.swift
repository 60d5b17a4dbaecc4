import Berth
import SNSTopology

// `swift run Deploy up --env dev` (stand-ins, on this machine) or `--env prod`.
await SNS.deployment.main()
