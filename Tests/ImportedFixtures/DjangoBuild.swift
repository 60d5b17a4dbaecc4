import Berth

/// The `django-build` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum DjangoBuild {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("django-build") {
            Volume("media")
            Volume("pgdata")
            Volume("static")
            // A literal credential in the Compose file: export POSTGRES_PASSWORD where you deploy.
            Secret("postgres_password", .environment("POSTGRES_PASSWORD"))
            // A literal credential in the Compose file: export DATABASE_URL where you deploy.
            Secret("database_url", .environment("DATABASE_URL"))
            // A literal credential in the Compose file: export DJANGO_SECRET_KEY where you deploy.
            Secret("django_secret_key", .environment("DJANGO_SECRET_KEY"))
            Service("db", image: "postgres:16-alpine")
                .environment("POSTGRES_DB", "library")
                // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", "library")
                .publish(5432)
                .volume("pgdata", at: "/var/lib/postgresql/data")
                .healthCheck(
                    HealthCheck(
                        .shell("pg_isready -U library"), interval: .seconds(5), timeout: .seconds(30), retries: 10,
                        startPeriod: .seconds(0)))
            Service("mailhog", image: "mailhog/mailhog:v1.0.1")
                .publish(8025, public: true)
                .restart(.never)
            Service("migrate", image: "registry.example.test/library/django-app")
                .build(
                    context: ".", dockerfile: "docker/Dockerfile", target: "dev",
                    args: ["POETRY_VERSION": "1.8.3", "PYTHON_VERSION": "3.12"]
                )
                // compose: build.cache_from is not imported
                .command(["python", "manage.py", "migrate", "--noinput"])
                // DATABASE_URL was a literal credential: the service reads DATABASE_URL_FILE.
                .secret("database_url", pathVariable: "DATABASE_URL_FILE")
                .environment("DJANGO_ALLOWED_HOSTS", "library.example.test,localhost")
                // DJANGO_SECRET_KEY was a literal credential: the service reads DJANGO_SECRET_KEY_FILE.
                .secret("django_secret_key", pathVariable: "DJANGO_SECRET_KEY_FILE")
                .environment("DJANGO_SETTINGS_MODULE", "config.settings.production")
                .environment("TAG", "2024.06.1")
                .dependsOn("db", condition: .healthy)
                .restart(.never)
            Service("nginx", image: "nginx:1.27-alpine")
                .publish(80, public: true)
                .mount(.bind("docker/nginx.conf"), at: "/etc/nginx/conf.d/default.conf", readOnly: true)
                .volume("static", at: "/srv/static", readOnly: true)
                .volume("media", at: "/srv/media", readOnly: true)
                .dependsOn("web", condition: .started)
            Service("web", image: "registry.example.test/library/django-app")
                .build(
                    context: ".", dockerfile: "docker/Dockerfile", target: "dev",
                    args: ["INSTALL_DEV_DEPS": "true", "POETRY_VERSION": "1.8.3", "PYTHON_VERSION": "3.12"]
                )
                // compose: build.cache_from is not imported
                .command(["python", "manage.py", "runserver", "0.0.0.0:8000"])
                // DATABASE_URL was a literal credential: the service reads DATABASE_URL_FILE.
                .secret("database_url", pathVariable: "DATABASE_URL_FILE")
                .environment("DJANGO_ALLOWED_HOSTS", "library.example.test,localhost")
                .environment("DJANGO_DEBUG", "1")
                // DJANGO_SECRET_KEY was a literal credential: the service reads DJANGO_SECRET_KEY_FILE.
                .secret("django_secret_key", pathVariable: "DJANGO_SECRET_KEY_FILE")
                .environment("DJANGO_SETTINGS_MODULE", "config.settings.dev")
                .environment("TAG", "2024.06.1")
                .expose(8000)
                .publish(8000, public: true)
                .volume("static", at: "/app/static")
                .volume("media", at: "/app/media")
                .mount(.bind("src"), at: "/app/src")
                .dependsOn("db", condition: .healthy)
                .dependsOn("migrate", condition: .completed)
                .user("root")
                .workingDirectory("/app/src")
        }
    }
}
