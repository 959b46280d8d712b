import Foundation
import KubeModel
@testable import KubeSim

/// In-process access: requests go straight to `KubeSim.handle`, no sockets.
struct Harness {
    let sim: KubeSim
    init(nodes: [NodeSpec] = [], historyLimit: Int = 20_000) async {
        sim = await KubeSim(options: KubeSimOptions(nodes: nodes, clock: ManualClock(), historyLimit: historyLimit))
    }

    @discardableResult
    func call(_ method: String, _ target: String, _ body: JSONValue? = nil, contentType: String = "application/json",
              accept: String = "application/json") async -> KubeResponse
    {
        await sim.handle(KubeRequest(method: method, target: target,
                                     headers: ["Content-Type": contentType, "Accept": accept, "User-Agent": "tests/1.0"],
                                     body: body?.encoded() ?? []))
    }

    @discardableResult
    func apply(_ target: String, _ yaml: String, manager: String, force: Bool = false) async -> KubeResponse {
        await sim.handle(KubeRequest(method: "PATCH", target: target + "?fieldManager=\(manager)" + (force ? "&force=true" : ""),
                                     headers: ["Content-Type": "application/apply-patch+yaml"], body: Array(yaml.utf8)))
    }

    /// Reads a watch stream until `count` events arrived, then closes it.
    func collect(_ r: KubeResponse, count: Int) async -> [JSONValue] {
        guard case .stream(let s, let cancel) = r.body else { return [] }
        var out: [JSONValue] = []
        for await chunk in s {
            if let v = try? JSONValue.parse(chunk) { out.append(v) }
            if out.count == count { cancel(); break }
        }
        return out
    }
}

let cmPath = "/api/v1/namespaces/default/configmaps"

func configMap(_ name: String, _ data: JSONValue = ["k": "v"], labels: JSONValue? = nil) -> JSONValue {
    var md: JSONValue = ["name": .string(name)]
    if let labels { md["labels"] = labels }
    return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": md, "data": data]
}
