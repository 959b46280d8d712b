"""KubeSim validates built-in kinds against the Kubernetes schema, as kube-apiserver does."""
import json

BROKEN = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        imagePullPolicyy: Always
"""


def test_strict_apply_of_broken_deployment_fails(sim):
    r = sim.kubectl("apply", "--server-side", "--validate=strict", "-f", "-", input=BROKEN, check=False)
    assert r.returncode == 1, r.stdout + r.stderr
    assert 'unknown field "spec.template.spec.containers[0].imagePullPolicyy"' in r.stderr
    assert sim.kubectl("get", "deployment", "web", check=False).returncode == 1

    # --validate=warn: applied, the unknown field reported and dropped.
    r = sim.kubectl("apply", "--server-side", "--validate=warn", "-f", "-", input=BROKEN)
    assert 'unknown field "spec.template.spec.containers[0].imagePullPolicyy"' in r.stderr
    container = json.loads(sim.kubectl("get", "deployment", "web", "-o", "json").stdout)["spec"]["template"]["spec"]["containers"][0]
    assert "imagePullPolicyy" not in container


def test_wrong_type_is_invalid(sim):
    bad = BROKEN.replace("imagePullPolicyy: Always", "imagePullPolicy: Always").replace("replicas: 1", "replicas: two")
    r = sim.kubectl("apply", "--server-side", "--validate=strict", "-f", "-", input=bad, check=False)
    assert r.returncode == 1
    assert "is invalid" in r.stderr and "spec.replicas" in r.stderr
    good = bad.replace("replicas: two", "replicas: 2")
    sim.kubectl("apply", "--server-side", "--validate=strict", "-f", "-", input=good)
    assert json.loads(sim.kubectl("get", "deployment", "web", "-o", "json").stdout)["spec"]["replicas"] == 2
