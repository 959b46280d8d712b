"""End-to-end: `platform plan/apply/diff/status/smoke/destroy --sim` on the simulated GPU cluster.

Each test runs the real binary against the in-process simulator (KubeSim with its GPU world,
simulated time), keeping cluster state between commands with --sim-state.
"""
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import PLATFORM_BIN, ROOT, SHARED_DIR

PROFILES = sorted((ROOT / "Profiles").glob("*.yaml"))


def platform(*args, check=None, timeout=300):
    env = dict(os.environ)
    env.setdefault("PLATFORM_CHART_MIRROR", str(SHARED_DIR / "charts"))
    r = subprocess.run([PLATFORM_BIN, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    if check is not None:
        assert r.returncode == check, f"platform {' '.join(map(str, args))} -> {r.returncode}\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return r


@pytest.fixture
def state():
    d = tempfile.mkdtemp(prefix="platform-apply-")
    return os.path.join(d, "sim.json")


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_profile_applies_green_then_no_changes(profile, state):
    r = platform("apply", profile, "--sim", "--yes", "--sim-state", state, check=0)
    assert "Apply complete:" in r.stdout
    for line in r.stdout.splitlines():
        if line.split()[:1] and line.split()[0] in ("namespaces", "gpu", "network", "sharing", "scheduling"):
            assert line.split()[1] == "passed", r.stdout
    assert "gate" in r.stderr and "PASSED" in r.stderr and "FAILED" not in r.stderr
    again = platform("apply", profile, "--sim", "--yes", "--sim-state", state, check=0)
    assert "No changes. All stages are up to date." in again.stdout
    plan = platform("plan", profile, "--sim", "--sim-state", state, "--detailed-exitcode", check=0)
    assert plan.stdout.rstrip().endswith("to prune, %s unchanged." % plan.stdout.split()[-2]) and " 0 to create, 0 to update, 0 to prune" in plan.stdout
    platform("diff", profile, "--sim", "--sim-state", state, check=0)
    status = platform("status", profile, "--sim", "--sim-state", state, check=0)
    assert "NOT ready" not in status.stdout and "last gate: passed" in status.stdout


def test_plan_json_schema_and_exit_codes(state):
    profile = ROOT / "Profiles" / "dev-time-slicing.yaml"
    r = platform("plan", profile, "--sim", "--sim-state", state, "--json", "--detailed-exitcode", check=2)
    plan = json.loads(r.stdout)
    assert list(plan) == ["formatVersion", "profile", "charts", "summary", "stages"]
    assert plan["formatVersion"] == 1 and plan["profile"]["name"] == "dev-time-slicing"
    assert plan["summary"]["create"] > 0 and plan["summary"]["update"] == 0
    assert [s["name"] for s in plan["stages"]] == ["namespaces", "gpu", "sharing", "scheduling"]
    change = plan["stages"][1]["changes"][0]
    assert {"apiVersion", "kind", "namespace", "name", "action"} <= set(change) and "object" not in change
    assert plan["charts"]["gpu-operator"].startswith("v26.7.0@sha256:")
    assert platform("diff", profile, "--sim", "--sim-state", state).returncode == 1
    md = platform("plan", profile, "--sim", "--sim-state", state, "--markdown", check=0)
    assert md.stdout.startswith("## Plan: ") and "| create |" in md.stdout


def test_switch_time_slicing_to_dra(state, tmp_path):
    dra = (ROOT / "Profiles" / "dra-k8s-1.34.yaml").read_text()
    ts = tmp_path / "ts.yaml"
    ts.write_text(dra.replace("    model: dra\n", "    model: time-slicing\n    timeSlicing: { replicas: 4 }\n", 1))
    dra_file = tmp_path / "dra.yaml"
    dra_file.write_text(dra)
    platform("apply", ts, "--sim", "--yes", "--sim-state", state, check=0)
    plan = json.loads(platform("plan", dra_file, "--sim", "--sim-state", state, "--json", check=0).stdout)
    sharing = next(s for s in plan["stages"] if s["name"] == "sharing")
    actions = {(c["kind"], c["name"]): c["action"] for c in sharing["changes"]}
    assert actions[("ConfigMap", "time-slicing-config")] == "prune"
    assert any(k == "DaemonSet" and a == "create" for (k, _), a in actions.items())
    assert any(k == "ResourceClaimTemplate" and a == "create" for (k, _), a in actions.items())
    r = platform("apply", dra_file, "--sim", "--yes", "--sim-state", state, check=0)
    assert "dra-smoke: PASSED" in r.stderr
    assert "No changes" in platform("apply", dra_file, "--sim", "--yes", "--sim-state", state, check=0).stdout


def test_no_gpu_nodes_fails_gpu_stage_then_resumes_after_adding_nodes(state, tmp_path):
    profile = ROOT / "Profiles" / "dev-time-slicing.yaml"
    r = platform("apply", profile, "--sim=2xcpu", "--yes", "--sim-state", state, check=1)
    assert "error: stage gpu: readiness failed:" in r.stderr and "no GPU nodes" in r.stderr
    assert "remedy: add GPU nodes" in r.stderr
    # "Add GPU nodes": copy the Node objects of a fresh 2xH100 simulated cluster into the saved state.
    fresh = tmp_path / "fresh.json"
    platform("plan", profile, "--sim=2xH100-80GB", "--sim-state", fresh, check=0)
    nodes = [i for i in json.loads(fresh.read_text())["items"] if i["resource"] == "nodes"]
    doc = json.loads(Path(state).read_text())
    doc["items"] += nodes
    Path(state).write_text(json.dumps(doc))
    resumed = platform("apply", profile, "--sim", "--yes", "--sim-state", state, check=0)
    assert "namespaces   unchanged" in resumed.stdout and "gpu          passed" in resumed.stdout


def test_image_pull_failure_stops_at_gate_then_resumes(state):
    profile = ROOT / "Profiles" / "dev-time-slicing.yaml"
    r = platform("apply", profile, "--sim", "--sim-faults", "image-pull=cuda", "--yes", "--sim-state", state, check=1)
    assert "stage gpu" in r.stderr and "gate cuda-smoke failed" in r.stderr and "ImagePull" in r.stderr
    assert "phase: Pending" in r.stderr and "logs:" in r.stderr
    resumed = platform("apply", profile, "--sim", "--yes", "--sim-state", state, check=0)
    assert "namespaces   unchanged" in resumed.stdout and "gpu          passed" in resumed.stdout


def test_driver_conflict_named_then_fixed_by_host_driver(state, tmp_path):
    profile = ROOT / "Profiles" / "dev-time-slicing.yaml"
    r = platform("apply", profile, "--sim=2xH100-80GB:8:hostdriver,1xcpu", "--yes", "--sim-state", state, check=1)
    assert "stage gpu: not ready after" in r.stderr and "driver conflict" in r.stderr and "spec.gpu.driver: host" in r.stderr
    host = tmp_path / "host.yaml"
    host.write_text(profile.read_text().replace("driver: container", "driver: host", 1))
    platform("apply", host, "--sim", "--yes", "--sim-state", state, check=0)


def test_webhook_down_stops_scheduling_then_resumes(state):
    profile = ROOT / "Profiles" / "rdma-training.yaml"
    r = platform("apply", profile, "--sim", "--sim-faults", "webhook-down=mclusterqueue.kb.io", "--yes", "--sim-state", state, check=1)
    assert "error: stage scheduling:" in r.stderr and "failed calling webhook" in r.stderr and "remedy:" in r.stderr
    resumed = platform("apply", profile, "--sim", "--yes", "--sim-state", state, check=0)
    assert "gpu          unchanged" in resumed.stdout and "scheduling   passed" in resumed.stdout


def test_time_slicing_change_with_stuck_device_plugin_names_the_wedge(state, tmp_path):
    profile = ROOT / "Profiles" / "dev-time-slicing.yaml"
    platform("apply", profile, "--sim", "--yes", "--sim-state", state, check=0)
    eight = tmp_path / "ts8.yaml"
    eight.write_text(profile.read_text().replace("replicas: 4 ", "replicas: 8 ", 1))
    plan = json.loads(platform("plan", eight, "--sim", "--sim-state", state, "--json", check=0).stdout)
    assert plan["summary"]["update"] == 1
    r = platform("apply", eight, "--sim", "--sim-faults", "stuck-rollout=nvidia-device-plugin-daemonset", "--yes", "--sim-state", state, check=1)
    assert "stage sharing: not ready after 600s" in r.stderr and "expected 8×8=64 with time-slicing" in r.stderr
    assert "did not pick up the time-slicing config" in r.stderr
    resumed = platform("apply", eight, "--sim", "--yes", "--sim-state", state, check=0)
    assert "sharing      passed" in resumed.stdout and "resumed stage(s) sharing passed" in resumed.stdout


def test_api_faults_are_ridden_out(state):
    # 20 % of requests fail with 500/503 and 10 % are throttled (deterministic seed): the client's
    # retries carry every stage through.
    r = platform("apply", ROOT / "Profiles" / "rdma-training.yaml", "--sim", "--sim-faults", "errors=0.2,throttle=0.1,seed=3",
                 "--yes", "--sim-state", state, check=0)
    assert "Apply complete: 172 to create" in r.stdout


def test_saved_plan_refuses_after_drift(state, tmp_path):
    profile = ROOT / "Profiles" / "dev-time-slicing.yaml"
    saved = tmp_path / "plan.json"
    platform("plan", profile, "--sim", "--sim-state", state, "--out", saved, check=0)
    assert oct(saved.stat().st_mode & 0o777) == "0o600"
    # The cluster changes under the plan: an apply of the profile creates everything.
    platform("apply", profile, "--sim", "--yes", "--sim-state", state, check=0)
    r = platform("apply", saved, "--profile", profile, "--sim", "--yes", "--sim-state", state, check=1)
    assert "the cluster changed since" in r.stderr and "created since the plan was made" in r.stderr


def test_saved_plan_applies_when_nothing_drifted(state, tmp_path):
    profile = ROOT / "Profiles" / "dev-time-slicing.yaml"
    saved = tmp_path / "plan.json"
    platform("plan", profile, "--sim", "--sim-state", state, "--out", saved, check=0)
    # The plan records its profile's path: no --profile needed.
    r = platform("apply", saved, "--sim", "--yes", "--sim-state", state, check=0)
    assert "Apply complete: 37 to create" in r.stdout


def test_smoke_status_destroy(state):
    profile = ROOT / "Profiles" / "dev-time-slicing.yaml"
    platform("apply", profile, "--sim", "--yes", "--sim-state", state, check=0)
    smoke = platform("smoke", profile, "--sim", "--sim-state", state, "--stage", "gpu", check=0)
    assert "1 gate(s) passed." in smoke.stdout
    r = platform("destroy", profile, "--sim", "--yes", "--sim-state", state, check=0)
    # gpu-operator's delete hooks ran around the gpu stage's deletion, RBAC before its Job.
    err = r.stderr
    pre = err.index("pre-delete hook batch/Job gpu-operator/gpu-operator-cleanup-gpucluster (weight 0) started")
    gone = err.index("deleted apps/Deployment gpu-operator/gpu-operator")
    role = err.index("post-delete hook rbac.authorization.k8s.io/ClusterRole gpu-operator-node-feature-discovery-prune")
    job = err.index("post-delete hook batch/Job gpu-operator/gpu-operator-node-feature-discovery-prune")
    assert pre < gone < role < job, err
    plan = json.loads(platform("plan", profile, "--sim", "--sim-state", state, "--json", check=0).stdout)
    # Everything is gone except CRDs (kept without --prune-crds).
    assert plan["summary"]["unchanged"] == sum(1 for s in plan["stages"] for c in s["changes"]
                                               if c["kind"] == "CustomResourceDefinition" and c["action"] == "unchanged")
    assert plan["summary"]["unchanged"] > 0
    r = platform("destroy", profile, "--sim", "--yes", "--prune-crds", "--sim-state", state, check=0)
    # The releases are gone: no delete hooks run again.
    assert "hook" not in r.stderr, r.stderr
    plan = json.loads(platform("plan", profile, "--sim", "--sim-state", state, "--json", check=0).stdout)
    assert plan["summary"]["unchanged"] == 0 and plan["summary"]["prune"] == 0


def test_destroy_no_hooks(state):
    profile = ROOT / "Profiles" / "dev-time-slicing.yaml"
    platform("apply", profile, "--sim", "--yes", "--sim-state", state, check=0)
    r = platform("destroy", profile, "--sim", "--yes", "--no-hooks", "--sim-state", state, check=0)
    assert "--no-hooks: skipped 5 delete hook(s) of gpu-operator" in r.stderr, r.stderr
    assert "hook batch/Job" not in r.stderr


def test_apply_without_yes_off_terminal_refuses(state):
    r = platform("apply", ROOT / "Profiles" / "dev-time-slicing.yaml", "--sim", "--sim-state", state, check=1)
    assert "pass --yes" in r.stderr


def test_apply_over_kubeconfig_to_sim_server(sim_world):
    """The real-cluster path (kubeconfig, libcurl, KubeClient) against `platform sim serve` with its world."""
    profile = ROOT / "Profiles" / "dev-time-slicing.yaml"
    r = platform("apply", profile, "--kubeconfig", sim_world.kubeconfig, "--yes", "--poll-seconds", "0.5", check=0, timeout=300)
    assert "Apply complete: 37 to create" in r.stdout
    plan = platform("plan", profile, "--kubeconfig", sim_world.kubeconfig, "--detailed-exitcode", check=0)
    assert " 0 to create, 0 to update, 0 to prune, 37 unchanged." in plan.stdout
    # KEP-3659: the parent records the group-kinds; members carry part-of.
    parent = json.loads(sim_world.kubectl("-n", "kube-system", "get", "configmap", "platform-dev-time-slicing-gpu", "-o", "json").stdout)
    set_id = parent["metadata"]["labels"]["applyset.kubernetes.io/id"]
    assert "Deployment.apps" in parent["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"]
    assert parent["data"]["phase"] == "passed"
    members = sim_world.kubectl("get", "deployments", "-A", "-l", f"applyset.kubernetes.io/part-of={set_id}", "-o", "name").stdout.split()
    assert "deployment.apps/gpu-operator" in members
    managers = sim_world.kubectl("-n", "gpu-operator", "get", "deployment", "gpu-operator", "-o", "json", "--show-managed-fields").stdout
    assert '"manager": "platform"' in managers


def test_interrupted_apply_resumes(sim_world):
    """Kill an apply mid-way (its Lease stays behind); the next apply takes the dead holder's lock and finishes."""
    import signal
    import time
    profile = ROOT / "Profiles" / "dev-time-slicing.yaml"
    env = dict(os.environ, PLATFORM_CHART_MIRROR=str(SHARED_DIR / "charts"))
    proc = subprocess.Popen([PLATFORM_BIN, "apply", str(profile), "--kubeconfig", sim_world.kubeconfig, "--yes", "--poll-seconds", "0.5"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline:
        r = sim_world.kubectl("-n", "kube-system", "get", "configmap", "platform-dev-time-slicing-gpu", "-o", "json", check=False)
        if r.returncode == 0:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    lease = sim_world.kubectl("-n", "kube-system", "get", "lease", "platform-dev-time-slicing", "-o", "json", check=False)
    assert lease.returncode == 0, "the killed apply left its lock"
    r = platform("apply", profile, "--kubeconfig", sim_world.kubeconfig, "--yes", "--poll-seconds", "0.5", check=0, timeout=300)
    assert "namespaces   unchanged" in r.stdout or "namespaces   passed" in r.stdout
    assert "gpu          passed" in r.stdout
    assert "No changes" in platform("apply", profile, "--kubeconfig", sim_world.kubeconfig, "--yes", check=0).stdout


@pytest.fixture
def sim_world():
    from conftest import Sim
    s = Sim(["--nodes", "2xH100-80GB,1xcpu"]).start()
    yield s
    s.stop()
