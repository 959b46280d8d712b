"""KubeSim judged by the Python `kubernetes` client: create, paginated list, watch, SSA, delete, errors."""
import json

import pytest

kubernetes = pytest.importorskip("kubernetes")
from kubernetes import client as k8s  # noqa: E402
from kubernetes import dynamic, watch  # noqa: E402
from kubernetes.client.rest import ApiException  # noqa: E402


def cm(name, data=None, labels=None):
    return k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name=name, labels=labels or {}), data=data or {"k": name})


def test_create_get_and_errors(client):
    core = k8s.CoreV1Api(client)
    created = core.create_namespaced_config_map("default", cm("one"))
    assert created.metadata.uid and created.metadata.resource_version
    got = core.read_namespaced_config_map("one", "default")
    assert got.data == {"k": "one"}
    with pytest.raises(ApiException) as e:
        core.create_namespaced_config_map("default", cm("one"))
    assert e.value.status == 409
    body = json.loads(e.value.body)
    assert body["kind"] == "Status" and body["reason"] == "AlreadyExists"
    assert body["details"] == {"name": "one", "kind": "configmaps"}
    with pytest.raises(ApiException) as e:
        core.read_namespaced_config_map("missing", "default")
    assert e.value.status == 404 and json.loads(e.value.body)["reason"] == "NotFound"
    with pytest.raises(ApiException) as e:
        core.create_namespaced_config_map("default", cm("Bad_Name"))
    assert e.value.status == 422
    assert json.loads(e.value.body)["details"]["causes"][0]["field"] == "metadata.name"


def test_update_conflict_on_stale_resource_version(client):
    core = k8s.CoreV1Api(client)
    first = core.create_namespaced_config_map("default", cm("rv"))
    first.data = {"k": "new"}
    core.replace_namespaced_config_map("rv", "default", first)
    first.data = {"k": "stale"}
    with pytest.raises(ApiException) as e:
        core.replace_namespaced_config_map("rv", "default", first)
    assert e.value.status == 409 and json.loads(e.value.body)["reason"] == "Conflict"


def test_list_with_pagination_and_selectors(client):
    core = k8s.CoreV1Api(client)
    for i in range(25):
        core.create_namespaced_config_map("default", cm(f"page-{i:02d}", labels={"tier": "a" if i % 2 else "b"}))
    names, token, pages = [], None, 0
    while True:
        resp = core.list_namespaced_config_map("default", limit=10, _continue=token, label_selector="tier")
        names += [i.metadata.name for i in resp.items]
        pages += 1
        token = resp.metadata._continue
        if not token:
            break
    assert pages == 3 and len(names) == 25 and names == sorted(names)
    odd = core.list_namespaced_config_map("default", label_selector="tier=a")
    assert len(odd.items) == 12
    one = core.list_namespaced_config_map("default", field_selector="metadata.name=page-03")
    assert [i.metadata.name for i in one.items] == ["page-03"]


def test_watch_events(client):
    core = k8s.CoreV1Api(client)
    rv = core.list_namespaced_config_map("default").metadata.resource_version
    core.create_namespaced_config_map("default", cm("w1"))
    core.patch_namespaced_config_map("w1", "default", {"data": {"k": "changed"}})
    core.delete_namespaced_config_map("w1", "default")
    w = watch.Watch()
    seen = []
    for ev in w.stream(core.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=2):
        seen.append((ev["type"], ev["object"].metadata.name))
        if len(seen) == 3:
            w.stop()
    assert seen == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]


def test_watch_too_old_resource_version_is_gone():
    from conftest import Sim
    from kubernetes import config
    sim = Sim(["--watch-history", "5"]).start()
    try:
        api = config.new_client_from_config(config_file=sim.kubeconfig)
        core = k8s.CoreV1Api(api)
        for i in range(10):
            core.create_namespaced_config_map("default", cm(f"old-{i}"))
        w = watch.Watch()
        with pytest.raises(ApiException) as e:
            for _ in w.stream(core.list_namespaced_config_map, "default", resource_version="2", timeout_seconds=2):
                pass
        assert e.value.status == 410
        api.close()
    finally:
        sim.stop()


def test_server_side_apply_and_delete_with_dynamic_client(client):
    dyn = dynamic.DynamicClient(client)
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    body = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}}},
    }
    obj = deployments.server_side_apply(body=body, namespace="default", field_manager="pytest")
    assert obj.spec.replicas == 2
    mf = obj.metadata.managedFields[0]
    assert mf.manager == "pytest" and mf.operation == "Apply"
    containers = mf.fieldsV1.to_dict()["f:spec"]["f:template"]["f:spec"]["f:containers"]
    assert list(containers) == ['k:{"name":"web"}']
    assert containers['k:{"name":"web"}']["."] == {}
    # Another manager changes the image: a conflict unless forced.
    body2 = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
             "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.28"}]}}}}
    with pytest.raises(ApiException) as e:
        deployments.server_side_apply(body=body2, namespace="default", field_manager="other")
    assert e.value.status == 409
    status = json.loads(e.value.body)
    assert status["details"]["causes"][0]["reason"] == "FieldManagerConflict"
    assert status["details"]["causes"][0]["field"] == '.spec.template.spec.containers[name="web"].image'
    forced = deployments.server_side_apply(body=body2, namespace="default", field_manager="other", force_conflicts=True)
    assert forced.spec.template.spec.containers[0].image == "nginx:1.28"
    assert forced.spec.template.spec.containers[0].ports[0].containerPort == 80
    # Dropping a field from the applied configuration removes it when nobody else owns it.
    body3 = json.loads(json.dumps(body))
    del body3["spec"]["replicas"]
    body3["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    after = deployments.server_side_apply(body=body3, namespace="default", field_manager="pytest")
    assert after.spec.get("replicas") is None
    deployments.delete(name="web", namespace="default")
    with pytest.raises(dynamic.exceptions.NotFoundError):
        deployments.get(name="web", namespace="default")


def test_owner_reference_garbage_collection(client):
    core = k8s.CoreV1Api(client)
    owner = core.create_namespaced_config_map("default", cm("owner"))
    ref = k8s.V1OwnerReference(api_version="v1", kind="ConfigMap", name="owner", uid=owner.metadata.uid)
    child = cm("child")
    child.metadata.owner_references = [ref]
    core.create_namespaced_config_map("default", child)
    core.delete_namespaced_config_map("owner", "default", propagation_policy="Background")
    names = [i.metadata.name for i in core.list_namespaced_config_map("default").items]
    assert "child" not in names


def test_finalizers_hold_deletion(client):
    core = k8s.CoreV1Api(client)
    obj = cm("held")
    obj.metadata.finalizers = ["example.com/hold"]
    core.create_namespaced_config_map("default", obj)
    core.delete_namespaced_config_map("held", "default")
    held = core.read_namespaced_config_map("held", "default")
    assert held.metadata.deletion_timestamp is not None
    core.patch_namespaced_config_map("held", "default", {"metadata": {"finalizers": None}})
    with pytest.raises(ApiException) as e:
        core.read_namespaced_config_map("held", "default")
    assert e.value.status == 404


def test_dry_run_does_not_persist(client):
    core = k8s.CoreV1Api(client)
    core.create_namespaced_config_map("default", cm("dry"), dry_run="All")
    with pytest.raises(ApiException) as e:
        core.read_namespaced_config_map("dry", "default")
    assert e.value.status == 404
