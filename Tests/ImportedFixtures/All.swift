// Written by `BERTH_RECORD_GOLDEN=1 swift test --filter ComposeCorpusTests`: each fixture of
// Tests/Fixtures/compose as `berth import` writes it, compiled here so the tests build and render
// exactly what the importer wrote.
import Berth

/// The stack of each fixture, by the fixture's folder name.
public let importedStacks: [String: @Sendable (Environment) -> Stack] = [
    "anchors-merge": AnchorsMerge.stack(for:),
    "deploy-resources": DeployResources.stack(for:),
    "django-build": DjangoBuild.stack(for:),
    "elasticsearch-kibana": ElasticsearchKibana.stack(for:),
    "env-interpolation": Analytics.stack(for:),
    "extends": Extends.stack(for:),
    "ftp-server": FtpServer.stack(for:),
    "gitea": Gitea.stack(for:),
    "gluetun-vpn": GluetunVpn.stack(for:),
    "healthchecks": Healthchecks.stack(for:),
    "immich-like": Immich.stack(for:),
    "include": Include.stack(for:),
    "keycloak-postgres": KeycloakPostgres.stack(for:),
    "mastodon-like": MastodonLike.stack(for:),
    "minio": Minio.stack(for:),
    "mongo-express": MongoExpress.stack(for:),
    "monitoring": Monitoring.stack(for:),
    "n8n": N8n.stack(for:),
    "nextcloud": Nextcloud.stack(for:),
    "nginx-reverse-proxy": NginxReverseProxy.stack(for:),
    "oneshot-etl": OneshotEtl.stack(for:),
    "pihole-unbound": PiholeUnbound.stack(for:),
    "plausible": Plausible.stack(for:),
    "profiles": Shopfront.stack(for:),
    "rabbitmq-celery": RabbitmqCelery.stack(for:),
    "sentry-like": SentrySelfHosted.stack(for:),
    "static-site": StaticSite.stack(for:),
    "traefik-apps": TraefikApps.stack(for:),
    "wg-easy": WgEasy.stack(for:),
    "wordpress-mysql": Blog.stack(for:),
]
