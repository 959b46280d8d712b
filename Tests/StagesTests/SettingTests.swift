import Profiles
import Stages
import Testing

/// One profile setting changed -> exactly the files it should change (rendered trees compared).
@Suite(.enabled(if: Fixture.shared != nil, "needs the shared chart fixtures (SHARED_DIR)"))
struct SettingTests {
    static let clusterPolicy = "10-gpu/99-clusterpolicy_cluster-policy.yaml"

    func diff(_ name: String, _ change: (inout Profile) -> Void) throws -> Set<String> {
        let before = try Fixture.profile(name)
        var after = before
        change(&after)
        return Fixture.changed(try Fixture.tree(before), try Fixture.tree(after))
    }

    @Test func driverHostChangesOnlyTheClusterPolicy() throws {
        #expect(try diff("dev-time-slicing") { $0.spec.gpu.driver = .host } == [Self.clusterPolicy])
    }

    @Test func toolkitAndDCGMChangeOnlyTheClusterPolicy() throws {
        #expect(try diff("dev-time-slicing") { $0.spec.gpu.toolkit = false } == [Self.clusterPolicy])
        #expect(try diff("dev-time-slicing") { $0.spec.gpu.dcgmExporter = false } == [Self.clusterPolicy])
    }

    @Test func nfdMovesBetweenOperatorsAndIsNeverDeployedTwice() throws {
        let changed = try diff("rdma-training") {
            $0.spec.network.nfd = false
            $0.spec.gpu.nfd = true
        }
        #expect(changed.contains { $0.hasPrefix("10-gpu/") && $0.contains("node-feature-discovery") })
        #expect(changed.contains { $0.hasPrefix("20-network/") && $0.contains("node-feature-discovery") })
        #expect(changed.allSatisfy { $0.hasPrefix("10-gpu/") || $0.hasPrefix("20-network/") })
        for name in Fixture.examples {
            var p = try Fixture.profile(name)
            for (gpu, net) in [(true, true), (true, false), (false, true)] {
                p.spec.gpu.nfd = gpu
                p.spec.network.nfd = net
                let nfdStages = Set(try Fixture.render(p).objects
                    .filter { $0.kind == "Deployment" && $0.name.hasSuffix("node-feature-discovery-master") }.map(\.stage))
                #expect(nfdStages.count <= 1, "\(name): NFD deployed by \(nfdStages)")
            }
        }
    }

    @Test func sriovChangesOnlyTheNetworkStage() throws {
        let changed = try diff("rdma-training") { $0.spec.network.sriov = true }
        #expect(!changed.isEmpty)
        #expect(changed.allSatisfy { $0.hasPrefix("20-network/") })
    }

    @Test func rdmaInterfacesChangeOnlyTheNicClusterPolicy() throws {
        #expect(try diff("rdma-training") { $0.spec.network.nicClusterPolicy?.rdmaSharedDevicePlugin?.ifNames = ["ibp2"] }
                == ["20-network/99-nicclusterpolicy_nic-cluster-policy.yaml"])
    }

    @Test func timeSlicingReplicasChangeOnlyTheConfigMap() throws {
        #expect(try diff("dev-time-slicing") { $0.spec.sharing.timeSlicing?.replicas = 8 }
                == ["30-sharing/10-configmap_gpu-operator_time-slicing-config.yaml"])
    }

    @Test func timeSlicingOffRemovesTheConfigMapAndThePluginConfig() throws {
        #expect(try diff("dev-time-slicing") { $0.spec.sharing.model = .none }
                == [Self.clusterPolicy, "30-sharing/10-configmap_gpu-operator_time-slicing-config.yaml"])
    }

    @Test func timeSlicingPlansTheDevicePluginRestart() throws {
        let render = try Fixture.render(Fixture.profile("dev-time-slicing"))
        let sharing = try #require(render.stages.first { $0.plan.id == .sharing })
        #expect(sharing.plan.actions == [.restartDaemonSet(namespace: "gpu-operator", name: "nvidia-device-plugin-daemonset",
                                                           reason: "the device plugin reads time-slicing-config only at start")])
    }

    @Test func migConfigIsANodeLabelActionNotAnObject() throws {
        #expect(try diff("h100-mig") { $0.spec.sharing.mig?.config = "all-2g.20gb" }.isEmpty)
        var p = try Fixture.profile("h100-mig")
        p.spec.sharing.mig?.config = "all-2g.20gb"
        let sharing = try #require(try Fixture.render(p).stages.first { $0.plan.id == .sharing })
        #expect(sharing.plan.actions == [.labelNodes(selector: ["nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"],
                                                     labels: ["nvidia.com/mig.config": "all-2g.20gb"],
                                                     reason: "the MIG manager repartitions GPUs of labelled nodes")])
    }

    @Test func migStrategyChangesOnlyTheClusterPolicy() throws {
        #expect(try diff("h100-mig") { $0.spec.sharing.mig?.strategy = .single } == [Self.clusterPolicy])
    }

    @Test func draDriverRootChangesOnlyTheDRADriver() throws {
        let changed = try diff("dra-k8s-1.34") { $0.spec.sharing.dra?.driverRoot = "/" }
        #expect(!changed.isEmpty)
        #expect(changed.allSatisfy { $0.hasPrefix("30-sharing/") })
    }

    @Test func draNodeLabelChangesEvictionEnvAndKubeletPluginSelector() throws {
        let changed = try diff("dra-k8s-1.34") { $0.spec.sharing.dra?.nodeLabel = "example.com/dra" }
        #expect(changed.contains(Self.clusterPolicy))
        #expect(changed.contains { $0.hasPrefix("30-sharing/") && $0.contains("daemonset") })
        #expect(changed.allSatisfy { $0 == Self.clusterPolicy || $0.hasPrefix("30-sharing/") })
    }

    @Test func tenantGPUsChangeOnlyItsQuota() throws {
        #expect(try diff("rdma-training") { $0.spec.tenants[0].gpus = 32 }
                == ["40-scheduling/03-resourcequota_team-llm_gpu-quota.yaml"])
    }

    @Test func newTenantAddsNamespaceQuotaAndDRAClaimTemplate() throws {
        let changed = try diff("dra-k8s-1.34") {
            $0.spec.tenants.append(Tenant(namespace: "team-new", gpus: 2, resource: "gpu.nvidia.com.deviceclass.resource.k8s.io/devices"))
        }
        #expect(changed == ["00-namespaces/01-namespace_team-new.yaml", "30-sharing/99-resourceclaimtemplate_team-new_gpu.yaml",
                            "40-scheduling/03-resourcequota_team-new_gpu-quota.yaml"])
    }

    @Test func volcanoQueueWeightChangesOnlyThatQueue() throws {
        #expect(try diff("rdma-training") { $0.spec.scheduling.volcano.queues[0].weight = 5 }
                == ["40-scheduling/99-queue_research.yaml"])
    }

    @Test func kueueQuotaChangesOnlyTheClusterQueue() throws {
        #expect(try diff("rdma-training") { $0.spec.scheduling.kueue.clusterQueues[0].quotas[0].nominal = Quantity("32") }
                == ["40-scheduling/99-clusterqueue_training.yaml"])
    }

    @Test func priorityClassValueChangesOnlyThatClass() throws {
        #expect(try diff("rdma-training") { $0.spec.scheduling.priorityClasses[0].value = 5000 }
                == ["40-scheduling/00-priorityclass_training-high.yaml"])
    }

    @Test func disablingAStageRemovesItsDirectory() throws {
        let changed = try diff("rdma-training") { $0.spec.network.enabled = false }
        #expect(changed.contains("00-namespaces/01-namespace_nvidia-network-operator.yaml"))
        #expect(changed.filter { !$0.hasPrefix("20-network/") && !$0.hasPrefix("00-namespaces/") && !$0.hasPrefix("10-gpu/") }.isEmpty)
    }
}
