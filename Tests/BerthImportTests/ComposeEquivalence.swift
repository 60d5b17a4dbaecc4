import Foundation

@testable import BerthImport

/// Whether two projects, as `docker compose config --format json` printed them, run the same
/// services, on every field Berth models; Berth's own labels, and what a report's notes name, are
/// left out.
enum ComposeEquivalence {
    static func differences(
        _ original: ComposeJSON, _ rendered: ComposeJSON, notes: [ImportNote], madeSecrets: Set<String>
    ) -> [String] {
        var found: [String] = []
        func skipped(_ service: String?, _ key: String) -> Bool {
            notes.contains { note in
                note.service == service
                    && (note.key == key || note.key.hasPrefix(key + ".") || key.hasPrefix(note.key + "."))
            }
        }
        func compare(_ what: String, _ left: String?, _ right: String?) {
            if left != right { found.append("\(what): \(left ?? "nil") became \(right ?? "nil")") }
        }
        for top in ["volumes", "secrets", "configs"] {
            let left = Set(original[top]?.keys ?? [])
            let right = Set(rendered[top]?.keys ?? []).subtracting(top == "secrets" ? madeSecrets : [])
            compare(top, left.sorted().description, right.sorted().description)
        }
        let networks = Set((original["networks"]?.keys ?? []).filter { $0 != "default" })
        let renderedNetworks = Set((rendered["networks"]?.keys ?? []).filter { $0 != "default" })
        compare("networks", networks.sorted().description, renderedNetworks.sorted().description)

        for (name, service) in (original["services"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let back = rendered["services"]?[name] else {
                found.append("service \(name) is missing")
                continue
            }
            func field(_ key: String, _ normalize: (ComposeJSON?) -> String?) {
                guard !skipped(name, key) else { return }
                compare("\(name).\(key)", normalize(service[key]), normalize(back[key]))
            }
            if service["build"] == nil { field("image") { $0?.text } }
            field("command") { $0?.strings?.description }
            field("entrypoint") { $0?.strings?.description }
            // Environment: a variable a note names (a credential made a secret) is left out on
            // both sides, with the `*_FILE` variables Berth adds for them.
            do {
                let drop = Set(
                    notes.filter { $0.service == name && $0.key.hasPrefix("environment.") }.map {
                        String($0.key.dropFirst("environment.".count))
                    })
                let left = (service["environment"]?.object ?? [:]).filter { !drop.contains($0.key) }
                    .mapValues { $0.text ?? "" }
                let right = (back["environment"]?.object ?? [:]).filter {
                    !drop.contains($0.key) && !(drop.contains(String($0.key.dropLast(5))) && $0.key.hasSuffix("_FILE"))
                }.mapValues { $0.text ?? "" }
                compare(
                    "\(name).environment", left.sorted { $0.key < $1.key }.description,
                    right.sorted { $0.key < $1.key }.description)
            }
            field("ports") { ports in
                (ports?.array ?? []).map { port in
                    let hostIP = port["host_ip"]?.text ?? "0.0.0.0"
                    return
                        "\(hostIP == "::" ? "0.0.0.0" : hostIP):\(port["published"]?.text ?? "")->\(port["target"]?.text ?? "")/\(port["protocol"]?.text ?? "tcp")"
                }.sorted().description
            }
            field("expose") {
                $0?.strings?.map { $0.replacingOccurrences(of: "/tcp", with: "") }.sorted().description ?? "[]"
            }
            // A service's `tmpfs:` list and `type: tmpfs` mounts are the same mounts.
            if !skipped(name, "volumes") {
                func mounts(_ service: ComposeJSON) -> String {
                    let scratch = (service["tmpfs"]?.strings ?? service["tmpfs"]?.text.map { [$0] } ?? []).map {
                        "tmpfs  \($0.split(separator: ":", maxSplits: 1).first ?? "") false"
                    }
                    return
                        ((service["volumes"]?.array ?? []).map { mount in
                            "\(mount["type"]?.text ?? "") \(mount["source"]?.text ?? "") \(mount["target"]?.text ?? "") \(mount["read_only"]?.text ?? "false")"
                        } + scratch).sorted().description
                }
                compare("\(name).volumes", mounts(service), mounts(back))
            }
            field("networks") { value in
                (value?.keys ?? ["default"]).sorted().description
            }
            field("secrets") { value in
                (value?.array ?? []).filter { !madeSecrets.contains($0["source"]?.text ?? "") }.map {
                    secret in
                    let source = secret["source"]?.text ?? ""
                    var target = secret["target"]?.text ?? source
                    if target.hasPrefix("/run/secrets/") { target.removeFirst("/run/secrets/".count) }
                    return "\(source)->\(target)"
                }.sorted().description
            }
            field("configs") { value in
                (value?.array ?? []).map { "\($0["source"]?.text ?? "")->\($0["target"]?.text ?? "")" }
                    .sorted()
                    .description
            }
            field("healthcheck") { check in
                guard let check, check["test"] != nil else { return nil }
                let millis = { (key: String, fallback: String) in
                    String(ComposeDuration.milliseconds(check[key]?.text ?? fallback) ?? -1)
                }
                return
                    "\(check["test"]?.strings ?? []) \(millis("interval", "30s")) \(millis("timeout", "30s")) \(check["retries"]?.text ?? "3") \(millis("start_period", "0s"))"
            }
            field("depends_on") { value in
                (value?.object ?? [:]).map { "\($0.key):\($0.value["condition"]?.text ?? "")" }.sorted()
                    .description
            }
            field("restart") { $0?.text ?? "no" }
            field("labels") { value in
                (value?.object ?? [:]).filter { !$0.key.hasPrefix("berth.") }.map {
                    "\($0.key)=\($0.value.text ?? "")"
                }
                .sorted().description
            }
            field("user") { $0?.text }
            field("working_dir") { $0?.text }
            field("read_only") { $0?.text ?? "false" }
            // Berth drops every capability and gives back those the image needs and the service
            // asked for: what the original added must still be there.
            if !skipped(name, "cap_add") {
                let wanted = Set(service["cap_add"]?.strings ?? [])
                let added = Set(back["cap_add"]?.strings ?? [])
                if !wanted.isSubset(of: added) {
                    found.append("\(name).cap_add: \(wanted.sorted()) not all in \(added.sorted())")
                }
                if back["cap_drop"]?.strings != ["ALL"] { found.append("\(name).cap_drop: not ALL") }
            }
            field("stop_grace_period") { $0?.text.flatMap(ComposeDuration.milliseconds).map(String.init) }
            if !skipped(name, "deploy") {
                compare(
                    "\(name).replicas", service["deploy"]?["replicas"]?.text ?? "1",
                    back["deploy"]?["replicas"]?.text ?? "1")
                for group in ["limits", "reservations"] {
                    for key in ["cpus", "memory"] {
                        compare(
                            "\(name).deploy.resources.\(group).\(key)",
                            service["deploy"]?["resources"]?[group]?[key]?.text,
                            back["deploy"]?["resources"]?[group]?[key]?.text)
                    }
                }
            }
        }
        return found
    }
}
