// Benchmarks print numbers; they never assert on time. Run: swift run -c release platform-bench
import Foundation
// `platform-bench stages [NAME]` runs only the Stages section (profiles whose file name contains NAME);
// `schemas` only the built-in schema section.
// `platform-bench rollout` runs only the Rollout section (plan time per profile against --sim).
// `platform-bench oci` runs only the OCI client section (pull/push cost without the network).
if CommandLine.arguments.dropFirst().first == "oci" {
    await OCIBench.run()
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "rollout" {
    await RolloutBench.run()
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "schemas" {
    KubeSchemaBench.run()
    exit(0)
}
// `platform-bench charts` runs only the chart sources section (index parse, cache hit/miss).
if CommandLine.arguments.dropFirst().first == "charts" {
    await ChartsBench.run()
    exit(0)
}
// `platform-bench bundle` runs only the bundle section (images.txt, bundle write/read).
if CommandLine.arguments.dropFirst().first == "bundle" {
    BundleBench.run()
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "stages" {
    StagesBench.run(only: CommandLine.arguments.dropFirst(2).first)
    exit(0)
}
benchYAML()  // YAML: parse and decode throughput on the shared fixtures (docs/yaml.md)
HelmBench.run()
await OCIBench.run()  // OCI: chart pull/push cost in the client, network excluded (docs/charts.md)
GoTemplateBench.run()  // GoTemplate: parse throughput on chart templates, execute rate (docs/gotemplate.md)
await KubeSimBench.run()  // KubeSim: apply/list/watch throughput (docs/kubesim.md)
await KubeClientBench.run()  // KubeClient: get/apply requests per second against KubeSim (docs/kubeclient.md)
StagesBench.run()  // Stages: each example profile rendered end to end (docs/stages.md)
BundleBench.run()  // Bundle: images.txt extraction, bundle write and verified read per profile (docs/charts.md)
KubeSchemaBench.run()  // KubeSchema: built-in schema load and validation per profile (docs/stages.md)
await RolloutBench.run()  // Rollout: plan time per example profile against the simulator (docs/rollout.md)
await ChartsBench.run()  // Charts: index.yaml parse time, chart cache hit/miss for a profile (docs/charts.md)
