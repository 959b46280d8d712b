"""KubeSim over HTTPS (`--tls`): real clients verify its certificate through the CA the
written kubeconfig carries; a client without that CA is refused."""
import ssl
import urllib.request

import pytest

from conftest import Sim


@pytest.fixture
def tls_sim():
    s = Sim(["--tls"]).start()
    yield s
    s.stop()


def test_kubectl_over_tls(tls_sim):
    assert tls_sim.url.startswith("https://127.0.0.1:")
    out = tls_sim.kubectl("get", "ns", "-o", "name").stdout
    assert "namespace/default" in out
    tls_sim.kubectl("create", "configmap", "tls-cm", "--from-literal=a=b")
    assert "tls-cm" in tls_sim.kubectl("get", "cm", "-o", "name").stdout


def test_python_client_over_tls(tls_sim):
    kubernetes = pytest.importorskip("kubernetes")
    from kubernetes import client, config
    api = config.new_client_from_config(config_file=tls_sim.kubeconfig)
    try:
        names = [n.metadata.name for n in client.CoreV1Api(api).list_namespace().items]
    finally:
        api.close()
    assert "kube-system" in names


def test_unknown_ca_is_refused(tls_sim):
    # The system trust store does not know the simulator's fresh CA.
    with pytest.raises(urllib.error.URLError) as e:
        urllib.request.urlopen(tls_sim.url + "/version", timeout=5, context=ssl.create_default_context())
    assert "CERTIFICATE_VERIFY_FAILED" in str(e.value)
