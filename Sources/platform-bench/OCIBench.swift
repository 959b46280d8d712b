import ChartSources
import Foundation
import KubeClient

/// OCI section (docs/charts.md "OCI registries"): the client's own cost of a pull (manifest
/// parse and digest, layer digest and size, archive load and name/version check) and of a
/// push (config JSON, manifest), for the GPU Operator chart, against an in-memory registry
/// so the network is out of the number. `platform-bench oci` runs only this. Loopback
/// timings against the real registry are in the e2e notes (docs/charts.md).
enum OCIBench {
    static func run(iterations: Int = 20) async {
        guard let shared = HelmBench.sharedDirectory(),
              let chart = try? ChartPackager.package(directory: shared + "/charts/gpu-operator-v26.7.0") else {
            return print("oci: shared/charts/gpu-operator-v26.7.0 not found; skipped")
        }
        func ms(_ start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        guard let ref = try? OCIReference("oci://registry.bench/nvidia/gpu-operator", version: chart.version) else { return }

        // Push first (HEAD misses, POST + PUT per blob, PUT manifest); its manifest feeds the pull.
        // (URL.path drops the trailing slash of `blobs/uploads/`.)
        let push = RecordedTransport()
        var location = HTTPHeaders()
        location.add("Location", "/v2/nvidia/gpu-operator/blobs/uploads/bench")
        push.on("POST", "/v2/nvidia/gpu-operator/blobs/uploads", repeats: true, .response(HTTPResponse(statusCode: 202, headers: location)))
        push.on("PUT", "/v2/nvidia/gpu-operator/blobs/uploads/bench", repeats: true, .response(HTTPResponse(statusCode: 201)))
        push.on("PUT", "/v2/nvidia/gpu-operator/manifests/\(ref.tag)", repeats: true, .response(HTTPResponse(statusCode: 201)))
        var pushTimes: [Double] = []
        var manifestDigest = ""
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            do { manifestDigest = try await OCIRegistryClient(registry: "registry.bench", transport: push).push(chart, to: ref) } catch {
                return print("oci: push failed: \(error)")
            }
            pushTimes.append(ms(start))
        }
        guard let manifest = push.requests.last(where: { $0.method == "PUT" && $0.url.path.contains("/manifests/") })?.body,
              Digest.sha256(manifest) == manifestDigest else { return print("oci: push did not produce a manifest; skipped") }

        let pull = RecordedTransport()
        var mh = HTTPHeaders()
        mh.add("Content-Type", HelmMediaType.manifest)
        mh.add("Docker-Content-Digest", manifestDigest)
        pull.on("GET", "/v2/nvidia/gpu-operator/manifests/\(ref.tag)", repeats: true, .response(HTTPResponse(statusCode: 200, headers: mh, body: manifest)))
        pull.on("GET", "/v2/nvidia/gpu-operator/blobs/\(chart.digest)", repeats: true, .response(HTTPResponse(statusCode: 200, body: Data(chart.bytes))))
        var pullTimes: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            guard (try? await OCIRegistryClient(registry: "registry.bench", transport: pull).pull(ref))?.bytes.count == chart.bytes.count else {
                return print("oci: pull failed; skipped")
            }
            pullTimes.append(ms(start))
        }
        print(String(format: "oci: gpu-operator (%d KB archive), in-memory registry: pull (verify + load) median %.2f ms, push median %.2f ms (median of %d)",
                     chart.bytes.count / 1024, median(pullTimes), median(pushTimes), iterations))
    }
}
