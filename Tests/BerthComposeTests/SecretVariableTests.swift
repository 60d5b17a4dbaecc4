import Testing

@testable import BerthCompose

@Suite("The environment variables that carry secrets to docker compose")
struct SecretVariableTests {
    @Test("a name a variable can hold is kept; one with - or . is made safe and told apart by a hash")
    func names() {
        #expect(ComposeRenderer.secretVariable("db_password") == "BERTH_SECRET_db_password")
        #expect(ComposeRenderer.secretVariable("TLS_Key2") == "BERTH_SECRET_TLS_Key2")
        let dashed = ComposeRenderer.secretVariable("api-key")
        #expect(dashed.hasPrefix("BERTH_SECRET_api_key_") && dashed.count == "BERTH_SECRET_api_key_".count + 8)
        let names = ["api-key", "api.key", "api_key", "api-key.", "api--key", "a.b-c", "a-b.c"]
        let variables = names.map(ComposeRenderer.secretVariable)
        #expect(Set(variables).count == names.count, "\(variables)")
        for variable in variables {
            #expect(variable.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }, "\(variable)")
        }
    }
}
