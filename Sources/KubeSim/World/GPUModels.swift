import Foundation

/// What the simulator knows about a GPU model: names as GFD and nvidia-smi print them,
/// memory, architecture and NVIDIA's MIG profile tables (mig-parted's default config).
struct GPUModel: Sendable {
    var product: String  // GFD label value, e.g. NVIDIA-H100-80GB-HBM3
    var smiName: String  // nvidia-smi name, e.g. NVIDIA H100 80GB HBM3
    var memoryMiB: Int
    var family: String
    var computeMajor: Int
    var computeMinor: Int
    var powerCap: Int
    /// MIG profiles: name → (max instances per GPU, memory MiB, GPU instance slices).
    var migProfiles: [(name: String, max: Int, memoryMiB: Int, slices: Int)]
    var balanced: [String: Int]

    var migCapable: Bool { !migProfiles.isEmpty }

    static func named(_ product: String) -> GPUModel {
        switch product {
        case "NVIDIA-H100-80GB-HBM3":
            return GPUModel(product: product, smiName: "NVIDIA H100 80GB HBM3", memoryMiB: 81559, family: "hopper", computeMajor: 9,
                            computeMinor: 0, powerCap: 700,
                            migProfiles: [("1g.10gb", 7, 9856, 1), ("1g.20gb", 4, 19968, 1), ("2g.20gb", 3, 19968, 2),
                                          ("3g.40gb", 2, 40192, 3), ("4g.40gb", 1, 40192, 4), ("7g.80gb", 1, 80896, 7)],
                            balanced: ["1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1])
        case "NVIDIA-H200":
            return GPUModel(product: product, smiName: "NVIDIA H200", memoryMiB: 143771, family: "hopper", computeMajor: 9,
                            computeMinor: 0, powerCap: 700,
                            migProfiles: [("1g.18gb", 7, 16384, 1), ("1g.35gb", 4, 32768, 1), ("2g.35gb", 3, 32768, 2),
                                          ("3g.71gb", 2, 69632, 3), ("4g.71gb", 1, 69632, 4), ("7g.141gb", 1, 139264, 7)],
                            balanced: ["1g.18gb": 2, "2g.35gb": 1, "3g.71gb": 1])
        case "NVIDIA-A100-SXM4-40GB":
            return GPUModel(product: product, smiName: "NVIDIA A100-SXM4-40GB", memoryMiB: 40960, family: "ampere", computeMajor: 8,
                            computeMinor: 0, powerCap: 400,
                            migProfiles: [("1g.5gb", 7, 4864, 1), ("1g.10gb", 4, 9856, 1), ("2g.10gb", 3, 9856, 2),
                                          ("3g.20gb", 2, 19968, 3), ("4g.20gb", 1, 19968, 4), ("7g.40gb", 1, 40192, 7)],
                            balanced: ["1g.5gb": 2, "2g.10gb": 1, "3g.20gb": 1])
        case "NVIDIA-A100-SXM4-80GB":
            return GPUModel(product: product, smiName: "NVIDIA A100-SXM4-80GB", memoryMiB: 81920, family: "ampere", computeMajor: 8,
                            computeMinor: 0, powerCap: 400,
                            migProfiles: [("1g.10gb", 7, 9856, 1), ("1g.20gb", 4, 19968, 1), ("2g.20gb", 3, 19968, 2),
                                          ("3g.40gb", 2, 40192, 3), ("4g.40gb", 1, 40192, 4), ("7g.80gb", 1, 80384, 7)],
                            balanced: ["1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1])
        case "NVIDIA-L4":
            return GPUModel(product: product, smiName: "NVIDIA L4", memoryMiB: 23034, family: "ada-lovelace", computeMajor: 8,
                            computeMinor: 9, powerCap: 72, migProfiles: [], balanced: [:])
        default:
            let name = product.replacingOccurrences(of: "-", with: " ")
            return GPUModel(product: product, smiName: name, memoryMiB: 16384, family: "unknown", computeMajor: 8, computeMinor: 0,
                            powerCap: 300, migProfiles: [], balanced: [:])
        }
    }

    /// The MIG devices per GPU for a mig-parted config name (`all-1g.10gb`, `all-balanced`,
    /// `all-disabled`, `all-enabled`); nil when the config does not exist for this GPU.
    func migLayout(_ config: String) -> [String: Int]? {
        switch config {
        case "all-disabled", "all-enabled": return [:]
        case "all-balanced": return migCapable ? balanced : nil
        default:
            guard config.hasPrefix("all-"), let p = migProfiles.first(where: { "all-" + $0.name == config }) else { return nil }
            return [p.name: p.max]
        }
    }

    func migProfile(_ name: String) -> (name: String, max: Int, memoryMiB: Int, slices: Int)? {
        migProfiles.first { $0.name == name }
    }

    static let driverVersion = "580.95.05"
    static let cudaVersion = "13.0"
}
