"""The simulated GPU world through real kubectl: operator readiness, nvidia-smi logs,
rollout status, webhooks before/after their pods are ready, and a node fault."""
import json
import time

import pytest

from conftest import SHARED_DIR, Sim


def wait(pred, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("condition not reached")


@pytest.fixture
def world():
    s = Sim(["--nodes", "2xH100-80GB,1xcpu", "--time-scale", "20",
             "--faults", "node-notready=gpu-h100-80gb-1@400-1000000,seed=3"]).start()
    yield s
    s.stop()


def golden(name):
    return str(SHARED_DIR / "golden" / "charts" / name / "expected.yaml")


def test_gpu_operator_and_smoke_pod(world):
    world.kubectl("create", "namespace", "gpu-operator")
    world.kubectl("apply", "--server-side", "-f", golden("gpu-operator-include-crds"), check=False)
    world.kubectl("apply", "--server-side", "-f", golden("gpu-operator-include-crds"))
    world.kubectl("rollout", "status", "-n", "gpu-operator", "deployment/gpu-operator", "--timeout=30s")
    wait(lambda: world.kubectl("get", "clusterpolicy", "cluster-policy", "-o", "jsonpath={.status.state}").stdout == "ready")
    node = json.loads(world.kubectl("get", "node", "gpu-h100-80gb-0", "-o", "json").stdout)
    assert node["metadata"]["labels"]["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB-HBM3"
    assert node["status"]["allocatable"]["nvidia.com/gpu"] == "8"
    pod = """apiVersion: v1
kind: Pod
metadata: {name: cuda-smoke}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: nvcr.io/nvidia/cuda:13.0.0-base-ubuntu24.04
    command: [nvidia-smi]
    resources: {limits: {nvidia.com/gpu: 1}}
"""
    world.kubectl("apply", "-f", "-", input=pod)
    world.kubectl("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/cuda-smoke", "--timeout=30s")
    out = world.kubectl("logs", "cuda-smoke").stdout
    assert "NVIDIA H100 80GB HBM3" in out and "CUDA Version: 13.0" in out


def test_webhook_refuses_while_its_pods_are_not_ready():
    # The admission image never pulls, so the webhook's Service has no ready endpoint.
    world = Sim(["--nodes", "1xcpu", "--time-scale", "20", "--faults", "image-pull=vc-webhook-manager"]).start()
    try:
        check_webhook(world)
    finally:
        world.stop()


def check_webhook(world):
    world.kubectl("create", "namespace", "volcano-system")
    world.kubectl("apply", "--server-side", "-f", golden("volcano-include-crds"))
    queue = """apiVersion: scheduling.volcano.sh/v1beta1
kind: Queue
metadata: {name: research}
spec: {weight: 1}
"""
    r = world.kubectl("apply", "--server-side", "-f", "-", input=queue, check=False)
    assert r.returncode != 0 and "failed calling webhook" in r.stderr and "connection refused" in r.stderr
    pods = world.kubectl("get", "pods", "-n", "volcano-system", "-o", "json").stdout
    assert "ImagePullBackOff" in pods or "ErrImagePull" in pods


def test_node_fault_and_daemonset_status(world):
    ds = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: nowhere}
spec:
  selector: {matchLabels: {app: nowhere}}
  template:
    metadata: {labels: {app: nowhere}}
    spec: {nodeSelector: {no: such}, containers: [{name: a, image: agent}]}
"""
    world.kubectl("apply", "-f", "-", input=ds)
    wait(lambda: world.kubectl("get", "ds", "nowhere", "-o", "jsonpath={.status.observedGeneration}").stdout == "1")
    assert world.kubectl("get", "ds", "nowhere", "-o", "jsonpath={.status.desiredNumberScheduled}").stdout == "0"
    # node-notready starts at simulated t=400 s (20 s real at --time-scale 20).
    wait(lambda: "NotReady" in world.kubectl("get", "node", "gpu-h100-80gb-1").stdout, timeout=40)
