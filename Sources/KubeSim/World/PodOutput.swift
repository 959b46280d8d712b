import Foundation
import KubeModel

/// What smoke images print: `nvidia-smi` (table), `nvidia-smi -L`, RDMA checks. Derived from
/// the devices the pod was given; unknown commands print nothing.
extension KubeSim {
    struct PodGPUs {
        var model: GPUModel
        var indexes: [Int]
        var mig: [(profile: String, memoryMiB: Int)]
        var shared: Bool
    }

    func podGPUs(_ pod: JSONValue, node: JSONValue) -> PodGPUs? {
        guard isGPUNode(node) else { return nil }
        let model = gpuModel(node)
        let req = Self.podRequests(pod)
        let nodeName = Unstructured(node).name
        var out = PodGPUs(model: model, indexes: [], mig: [], shared: false)
        let migOn = migDevices(node)
        let whole = Int(req["nvidia.com/gpu"] ?? 0) + Int(req["nvidia.com/gpu.shared"] ?? 0)
        if whole > 0 {
            if !migOn.isEmpty, migOn.count == 1, let (profile, _) = migOn.first, let p = model.migProfile(profile) {
                out.indexes = [0]
                out.mig = Array(repeating: (profile, p.memoryMiB), count: whole)
            } else {
                out.shared = (world.devicePluginConfig[nodeName]?.replicas ?? 1) > 1
                out.indexes = Array(0..<min(whole, max(1, gpuCount(node))))
            }
        }
        for (k, v) in req where k.hasPrefix("nvidia.com/mig-") && v > 0 {
            let profile = String(k.dropFirst("nvidia.com/mig-".count))
            out.indexes = [0]
            out.mig += Array(repeating: (profile, model.migProfile(profile)?.memoryMiB ?? 0), count: Int(v))
        }
        for d in draDevices(pod) {
            if let i = Int(d.dropFirst("gpu-".count)) { out.indexes.append(i) }
        }
        return out.indexes.isEmpty ? nil : out
    }

    func podOutput(_ pod: JSONValue, node: JSONValue) -> String {
        let c = pod["spec"]?["containers"]?.arrayValue?.first
        let words = ((c?["command"]?.arrayValue ?? []) + (c?["args"]?.arrayValue ?? [])).compactMap(\.stringValue)
        let line = words.joined(separator: " ")
        let nodeName = Unstructured(node).name
        let gpus = podGPUs(pod, node: node)
        let hasRDMA = Self.podRequests(pod).contains { $0.key.hasPrefix("rdma/") && $0.value > 0 }
        var out = ""
        if line.contains("nvidia-smi -L") || line.contains("nvidia-smi --list-gpus") {
            guard let gpus else { return "No devices found.\n" }
            for i in gpus.indexes {
                out += "GPU \(i): \(gpus.model.smiName) (UUID: \(gpuUUID(nodeName, i)))\n"
                if !gpus.mig.isEmpty {
                    for (k, m) in gpus.mig.enumerated() {
                        out += "  MIG \(m.profile.padding(toLength: 10, withPad: " ", startingAt: 0))Device \(String(k).leftPad(2)): (UUID: MIG-\(gpuUUID(nodeName, 100 + k).dropFirst(4)))\n"
                    }
                }
            }
        } else if line.contains("nvidia-smi") {
            guard let gpus else {
                return "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n"
            }
            out += smiTable(gpus)
        }
        if line.contains("ibv_devices") {
            out += hasRDMA ? "    device                 node GUID\n    ------              ----------------\n    mlx5_0              \(shortHash(nodeName, length: 16).unicodeScalars.map { String(format: "%x", Int($0.value) % 16) }.joined())\n"
                : "    device                 node GUID\n    ------              ----------------\n"
        }
        if line.contains("/dev/infiniband") {
            out += hasRDMA ? "issm0\nrdma_cm\numad0\nuverbs0\n" : "ls: cannot access '/dev/infiniband': No such file or directory\n"
        }
        return out
    }

    func smiTable(_ g: PodGPUs) -> String {
        let bar = "+-----------------------------------------+------------------------+----------------------+"
        let date = Self.smiDate(clockNow)
        func row(_ a: String, _ b: String, _ c: String) -> String { "|\(a)|\(b)|\(c)|" }
        func pad(_ s: String, _ n: Int, right: Bool = false) -> String { right ? s.leftPad(n) : s.padding(toLength: n, withPad: " ", startingAt: 0) }
        var lines = [
            "\(date)       ",
            "+-----------------------------------------------------------------------------------------+",
            "| NVIDIA-SMI \(GPUModel.driverVersion)              Driver Version: \(GPUModel.driverVersion)      CUDA Version: \(GPUModel.cudaVersion)     |",
            bar,
            "| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |",
            "| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |",
            "|                                         |                        |               MIG M. |",
            "|=========================================+========================+======================|",
        ]
        for i in g.indexes {
            let name = pad(String(g.model.smiName.prefix(31)), 31)
            lines.append(row(" \(String(i).leftPad(3))  \(name)On  ", "   " + String(format: "00000000:%02X:00.0", 0x18 + i * 0x10) + " Off ",
                             pad("0", 21, right: true) + " "))
            let mem = g.mig.isEmpty ? "\(String(1).leftPad(6))MiB / \(String(g.model.memoryMiB).leftPad(6))MiB" : "   15MiB / \(String(g.model.memoryMiB).leftPad(6))MiB"
            lines.append(row(" N/A   3\(i % 10)C    P0\("\(70 + i)W /  \(g.model.powerCap)W".leftPad(24)) ", pad(mem, 23, right: true) + " ",
                             "      0%      Default "))
            lines.append(row(String(repeating: " ", count: 41), String(repeating: " ", count: 24),
                             pad(g.mig.isEmpty ? "Disabled" : "Enabled", 21, right: true) + " "))
            lines.append(bar)
        }
        if !g.mig.isEmpty {
            lines += ["", "+-----------------------------------------------------------------------------------------+",
                      "| MIG devices:                                                                            |",
                      "+------------------+----------------------------------+-----------+-----------------------+",
                      "| GPU  GI  CI  MIG |                     Memory-Usage |        Vol|        Shared         |",
                      "|      ID  ID  Dev |                       BAR1-Usage | SM     Unc| CE ENC  DEC  OFA  JPG |",
                      "|                  |                                  |        ECC|                       |",
                      "|==================+==================================+===========+=======================|"]
            for (k, m) in g.mig.enumerated() {
                let sm = (Int(m.profile.prefix { $0.isNumber }) ?? 1) * 16
                lines.append("|  0 \(String(k + 7).leftPad(4))   0 \(String(k).leftPad(3))  |\(("15MiB / " + String(m.memoryMiB).leftPad(5) + "MiB").leftPad(30))    | \(String(sm).leftPad(2))      0 |  1   0    1    0    1 |")
                lines.append("|                  |\(("0MiB / " + "16383MiB").leftPad(31))   |           |                       |")
                lines.append("+------------------+----------------------------------+-----------+-----------------------+")
            }
        }
        lines += ["", "+-----------------------------------------------------------------------------------------+",
                  "| Processes:                                                                              |",
                  "|  GPU   GI   CI              PID   Type   Process name                        GPU Memory |",
                  "|        ID   ID                                                               Usage      |",
                  "|=========================================================================================|",
                  "|  No running processes found                                                             |",
                  "+-----------------------------------------------------------------------------------------+"]
        return lines.joined(separator: "\n") + "\n"
    }

    static func smiDate(_ d: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC") ?? .current
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: d)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func p2(_ v: Int?) -> String { String(format: "%02d", v ?? 0) }
        return "\(days[((c.weekday ?? 1) - 1) % 7]) \(months[((c.month ?? 1) - 1) % 12]) \(String(c.day ?? 1).leftPad(2)) \(p2(c.hour)):\(p2(c.minute)):\(p2(c.second)) \(c.year ?? 2026)"
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
