import Berth
import Foundation

extension InfraPlatform {
    /// The Keycloak realm of the platform's accounts.
    public static let realmName = "infra"
    /// The realm role that lets a user through the gateway's sign-in to the operations tools.
    public static let operatorRole = "infra-operator"
    /// The realm role that makes a user an administrator in Grafana; everyone else is a viewer.
    public static let grafanaAdminRole = "grafana-admin"
    /// oauth2-proxy's client in the realm.
    static let oauth2ProxyClientID = "oauth2-proxy"
    /// Grafana's client in the realm.
    static let grafanaClientID = "grafana"

    /// The realm Keycloak imports at its first start, as JSON.
    ///
    /// The clients' secrets are placeholders (`${OAUTH2_PROXY_CLIENT_SECRET}`) that Keycloak
    /// replaces with environment variables while importing; its start script sets them from the
    /// generated secrets, so the values are in neither this file nor the rendered one.
    public static func realm(in environment: Environment) -> String {
        let realm = RealmRepresentation(
            realm: realmName,
            enabled: true,
            registrationAllowed: false,
            loginWithEmailAllowed: true,
            bruteForceProtected: true,
            roles: .init(realm: [
                .init(name: operatorRole, description: "Signs in to the Traefik dashboard and Prometheus."),
                .init(name: grafanaAdminRole, description: "Administers Grafana."),
            ]),
            clients: [
                .confidential(
                    oauth2ProxyClientID, name: "Operations tools (oauth2-proxy)",
                    secretVariable: "OAUTH2_PROXY_CLIENT_SECRET",
                    redirectURI: url("auth", in: environment, path: "/oauth2/callback"),
                    origin: url("auth", in: environment),
                    // oauth2-proxy checks that access tokens are meant for it.
                    mappers: [.audience(oauth2ProxyClientID)]),
                .confidential(
                    grafanaClientID, name: "Grafana", secretVariable: "GRAFANA_CLIENT_SECRET",
                    redirectURI: url("grafana", in: environment, path: "/login/generic_oauth"),
                    origin: url("grafana", in: environment),
                    // Grafana maps the `roles` claim of the ID token to its own roles.
                    mappers: [.realmRoles(claim: "roles")]),
            ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, booleans and arrays cannot fail.
        return String(decoding: try! encoder.encode(realm), as: UTF8.self) + "\n"
    }
}

/// The part of Keycloak's `RealmRepresentation` the platform sets.
struct RealmRepresentation: Encodable {
    struct Roles: Encodable {
        var realm: [Role]
    }

    struct Role: Encodable {
        var name: String
        var description: String
    }

    struct Client: Encodable {
        var clientId: String
        var name: String
        var enabled = true
        var `protocol` = "openid-connect"
        var publicClient = false
        var clientAuthenticatorType = "client-secret"
        var secret: String
        var standardFlowEnabled = true
        var implicitFlowEnabled = false
        var directAccessGrantsEnabled = false
        var serviceAccountsEnabled = false
        var redirectUris: [String]
        var webOrigins: [String]
        var attributes: [String: String]
        var protocolMappers: [ProtocolMapper]

        /// A client that signs users in with the authorization code flow and PKCE, and
        /// authenticates itself with a secret taken from an environment variable at import.
        static func confidential(
            _ id: String, name: String, secretVariable: String, redirectURI: String, origin: String,
            mappers: [ProtocolMapper]
        ) -> Client {
            Client(
                clientId: id, name: name, secret: "${\(secretVariable)}", redirectUris: [redirectURI],
                webOrigins: [origin], attributes: ["pkce.code.challenge.method": "S256"], protocolMappers: mappers)
        }
    }

    struct ProtocolMapper: Encodable {
        var name: String
        var `protocol` = "openid-connect"
        var protocolMapper: String
        var config: [String: String]

        /// Adds a client to the access token's `aud` claim.
        static func audience(_ client: String) -> ProtocolMapper {
            ProtocolMapper(
                name: "audience-\(client)", protocolMapper: "oidc-audience-mapper",
                config: [
                    "included.client.audience": client, "access.token.claim": "true", "id.token.claim": "false",
                ])
        }

        /// Puts the user's realm roles into a claim of the ID token and the user info.
        static func realmRoles(claim: String) -> ProtocolMapper {
            ProtocolMapper(
                name: "realm-roles", protocolMapper: "oidc-usermodel-realm-role-mapper",
                config: [
                    "claim.name": claim, "multivalued": "true", "jsonType.label": "String",
                    "id.token.claim": "true", "userinfo.token.claim": "true", "access.token.claim": "false",
                ])
        }
    }

    var realm: String
    var enabled: Bool
    var registrationAllowed: Bool
    var loginWithEmailAllowed: Bool
    var bruteForceProtected: Bool
    var roles: Roles
    var clients: [Client]
}
