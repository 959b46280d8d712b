"""End-to-end: `platform bundle` on one run, `platform apply --bundle` on another with no chart source reachable.

The bundle is made from Profiles/dev-time-slicing.yaml with charts from the mirror (SHARED_DIR/charts).
The offline runs point PLATFORM_CHART_MIRROR at a missing directory, use an empty chart cache, route
every HTTP(S) request to a closed port and run outside the repository (so no ../shared fallback).
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile

import pytest

from conftest import PLATFORM_BIN, ROOT, SHARED_DIR

PROFILE = ROOT / "Profiles" / "dev-time-slicing.yaml"
GOLDEN_IMAGES = ROOT / "Tests" / "ChartSourcesTests" / "Fixtures" / "images" / "dev-time-slicing.txt"
CHART = "charts/gpu-operator-v26.7.0.tgz"
UNREACHABLE = "http://127.0.0.1:9"


def run(args, env, cwd, check=None, timeout=300):
    r = subprocess.run([PLATFORM_BIN, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    if check is not None:
        assert r.returncode == check, f"platform {' '.join(map(str, args))} -> {r.returncode}\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return r


def online_env(tmp):
    return dict(os.environ, PLATFORM_CHART_MIRROR=str(SHARED_DIR / "charts"), XDG_CACHE_HOME=str(tmp / "cache-online"))


def offline_env(tmp):
    env = dict(os.environ, PLATFORM_CHART_MIRROR=str(tmp / "no-such-mirror"), XDG_CACHE_HOME=str(tmp / "cache-empty"),
               HOME=str(tmp / "home"))
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        env[var] = UNREACHABLE
    for var in ("no_proxy", "NO_PROXY"):
        env.pop(var, None)
    return env


@pytest.fixture
def bundle(tmp_path):
    path = tmp_path / "made" / "dev.tar.gz"
    r = run(["bundle", PROFILE, "--out", path], online_env(tmp_path), cwd=ROOT, check=0)
    assert "wrote" in r.stdout and "1 chart(s)" in r.stdout
    return path


def members(path):
    with tarfile.open(path) as t:
        return [(m, t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()]


def repack(src, dst, change):
    """Rewrites a bundle with change(name, bytes) -> bytes (None drops the entry)."""
    with tarfile.open(src) as t, tarfile.open(dst, "w:gz") as out:
        for m in t.getmembers():
            data = change(m.name, t.extractfile(m).read())
            if data is None:
                continue
            m.size = len(data)
            out.addfile(m, io.BytesIO(data))


def changed_chart(chart_bytes):
    """The same chart with one values.yaml line added: a valid, different archive."""
    src = tarfile.open(fileobj=io.BytesIO(chart_bytes))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as out:
        for m in src.getmembers():
            data = src.extractfile(m).read() if m.isfile() else None
            if m.name.endswith("/values.yaml") and m.name.count("/") == 1:
                data += b"\ninjected: true\n"
                m.size = len(data)
            out.addfile(m, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def assert_pods_use_listed_images(bundle, state):
    with tarfile.open(bundle) as t:
        listed = set(t.extractfile("images.txt").read().decode().splitlines())
    pulled = set()
    for item in json.loads(state.read_text())["items"]:
        if item["object"].get("kind") == "Pod":
            spec = item["object"]["spec"]
            pulled |= {c["image"] for key in ("containers", "initContainers") for c in spec.get(key, [])}
    assert pulled, "the simulated cluster runs pods"
    missing = {i for i in pulled if i not in listed and i + "-ubuntu24.04" not in listed}
    assert not missing, sorted(missing)


def test_rdma_profile_round_trips_with_network_operator_images(tmp_path):
    """The NicClusterPolicy's operands (started by the simulated Network Operator) are listed too."""
    bundle = tmp_path / "rdma.tar.gz"
    run(["bundle", ROOT / "Profiles" / "rdma-training.yaml", "--out", bundle], online_env(tmp_path), cwd=ROOT, check=0)
    state = tmp_path / "sim.json"
    r = run(["apply", "--bundle", bundle, "--sim", "--yes", "--sim-state", state], offline_env(tmp_path),
            cwd=tmp_path, check=0)
    assert "Apply complete:" in r.stdout and "FAILED" not in r.stderr
    assert_pods_use_listed_images(bundle, state)
    with tarfile.open(bundle) as t:
        assert "nvcr.io/nvidia/mellanox/k8s-rdma-shared-dev-plugin:network-operator-v26.4.1" in t.extractfile("images.txt").read().decode()


def test_bundle_layout_is_complete_verified_and_reproducible(bundle, tmp_path):
    again = tmp_path / "again.tar.gz"
    run(["bundle", PROFILE, "--out", again], online_env(tmp_path), cwd=ROOT, check=0)
    assert bundle.read_bytes() == again.read_bytes(), "same inputs must give the same bundle bytes"
    assert gzip.decompress(bundle.read_bytes())  # a plain gzipped tar
    entries = members(bundle)
    names = [m.name for m, _ in entries]
    assert names[:4] == ["bundle.json", "profile.yaml", "platform.lock", "images.txt"]
    assert CHART in names and all(n.startswith(("charts/", "render/")) for n in names[4:])
    for m, _ in entries:
        assert m.isfile() and m.mtime == 946684800 and m.uid == 0 and m.gid == 0 and m.mode == 0o644, m.name
    files = {m.name: data for m, data in entries}
    manifest = json.loads(files["bundle.json"])
    assert manifest["format"] == 1 and manifest["profile"] == "dev-time-slicing" and manifest["tool"].startswith("platform ")
    assert set(manifest["files"]) == set(names) - {"bundle.json"}
    for name, digest in manifest["files"].items():
        assert digest == "sha256:" + hashlib.sha256(files[name]).hexdigest(), name
    assert files["profile.yaml"] == PROFILE.read_bytes()
    lock = files["platform.lock"].decode()
    assert "gpu-operator:" in lock and "sha256:" + hashlib.sha256(files[CHART]).hexdigest() in lock
    images = files["images.txt"].decode().splitlines()
    assert images == sorted(set(images)) and all(images)
    assert files["images.txt"].decode() == GOLDEN_IMAGES.read_text()
    for expected in ("nvcr.io/nvidia/cuda:13.0.0-base-ubuntu24.04",       # smoke gates (profile)
                     "nvcr.io/nvidia/driver:595.91.07-ubuntu24.04",       # ClusterPolicy driver, OS-tagged
                     "nvcr.io/nvidia/k8s/container-toolkit:v1.20.0",      # ClusterPolicy toolkit
                     "nvcr.io/nvidia/gpu-operator:main-latest",           # operator Deployment + validator
                     "registry.k8s.io/nfd/node-feature-discovery:v0.19.0"):  # NFD pods and hook Job
        assert expected in images
    assert not any("dcgm:" in i or "vgpu" in i or "kubevirt" in i for i in images), "disabled operands are not pulled"
    # render/ is exactly what `platform render --out` writes.
    out = tmp_path / "rendered"
    run(["render", PROFILE, "--out", out, "--quiet"], online_env(tmp_path), cwd=ROOT, check=0)
    tree = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert tree == {n[len("render/"):]: d for n, d in files.items() if n.startswith("render/")}


def test_apply_from_bundle_with_no_chart_source_reachable(bundle, tmp_path):
    offline = offline_env(tmp_path)
    work = tmp_path / "site"
    work.mkdir()
    # The same profile outside the bundle cannot be planned here: no source is reachable.
    shutil.copy(PROFILE, work / "profile.yaml")
    r = run(["plan", work / "profile.yaml", "--sim"], offline, cwd=work, check=1)
    assert "gpu-operator" in r.stderr
    state = tmp_path / "sim.json"
    r = run(["apply", "--bundle", bundle, "--sim", "--yes", "--sim-state", state], offline, cwd=work, check=0)
    assert "Apply complete:" in r.stdout
    for stage in ("namespaces", "gpu", "sharing", "scheduling"):
        assert any(line.split()[:2] == [stage, "passed"] for line in r.stdout.splitlines()), r.stdout
    assert "gate" in r.stderr and "PASSED" in r.stderr and "FAILED" not in r.stderr
    assert "warning" not in r.stderr, "the bundle's render/ tree is what apply renders, by the same version"
    # Every image a pod of the simulated cluster runs (operator, NFD, the operands the simulated
    # GPU Operator started from the ClusterPolicy) is in images.txt. The simulator tags the driver
    # without the node-OS suffix the real operator appends (docs/charts.md).
    assert_pods_use_listed_images(bundle, state)
    r = run(["plan", "--bundle", bundle, "--sim", "--sim-state", state, "--detailed-exitcode"], offline, cwd=work, check=0)
    assert " 0 to create, 0 to update, 0 to prune" in r.stdout
    # The other commands take the bundle in place of the profile.
    r = run(["status", bundle, "--sim", "--sim-state", state], offline, cwd=work, check=0)
    assert "NOT ready" not in r.stdout and "last gate: passed" in r.stdout
    run(["diff", bundle, "--sim", "--sim-state", state], offline, cwd=work, check=0)
    # A plan saved from the bundle applies with the bundle it records.
    saved = tmp_path / "plan.json"
    run(["plan", "--bundle", bundle, "--sim", "--sim-state", state, "--out", saved], offline, cwd=work, check=0)
    r = run(["apply", saved, "--sim", "--yes", "--sim-state", state], offline, cwd=work, check=0)
    assert "No changes" in r.stdout
    assert list((tmp_path / "cache-empty").glob("**/*.tgz")) == [], "nothing may be fetched into the cache"


@pytest.mark.parametrize("tamper", ["chart-bytes", "chart-and-manifest", "extra-file", "path-traversal", "symlink", "hard-link"])
def test_tampered_bundle_is_refused_and_changes_nothing(bundle, tmp_path, tamper):
    offline = offline_env(tmp_path)
    state = tmp_path / "sim.json"
    run(["apply", "--bundle", bundle, "--sim", "--yes", "--sim-state", state], offline, cwd=tmp_path, check=0)
    before = state.read_bytes()
    bad = tmp_path / "bad.tar.gz"
    files = {m.name: d for m, d in members(bundle)}
    new_chart = changed_chart(files[CHART])

    def change(name, data):
        if tamper in ("chart-bytes", "chart-and-manifest") and name == CHART:
            return new_chart
        if tamper == "chart-and-manifest" and name == "bundle.json":
            manifest = json.loads(data)
            manifest["files"][CHART] = "sha256:" + hashlib.sha256(new_chart).hexdigest()
            return json.dumps(manifest).encode()
        return data

    repack(bundle, bad, change)
    if tamper in ("extra-file", "path-traversal", "symlink", "hard-link"):
        name = {"extra-file": "render/10-gpu/evil.yaml", "path-traversal": "../evil.yaml"}.get(tamper, "render/10-gpu/link.yaml")
        with tarfile.open(bundle) as t, tarfile.open(bad, "w:gz") as out:
            for m in t.getmembers():
                out.addfile(m, t.extractfile(m))
            extra = tarfile.TarInfo(name)
            if tamper == "symlink":
                extra.type, extra.linkname = tarfile.SYMTYPE, "/etc/passwd"
                out.addfile(extra)
            elif tamper == "hard-link":
                extra.type, extra.linkname = tarfile.LNKTYPE, "profile.yaml"
                out.addfile(extra)
            else:
                extra.size = 10
                out.addfile(extra, io.BytesIO(b"kind: Pod\n"))
    r = run(["apply", "--bundle", bad, "--sim", "--yes", "--sim-state", state], offline, cwd=tmp_path, check=1)
    expected = {
        "chart-bytes": f"{CHART}: sha256 is",
        "chart-and-manifest": "platform.lock pins",
        "extra-file": "render/10-gpu/evil.yaml: not listed in bundle.json",
        "path-traversal": "unsafe path",
        "symlink": "render/10-gpu/link.yaml: links are not allowed",
        "hard-link": "render/10-gpu/link.yaml: links are not allowed",
    }[tamper]
    assert expected in r.stderr and "The bundle was refused; nothing was changed." in r.stderr, r.stderr
    assert state.read_bytes() == before
    assert not (tmp_path.parent / "evil.yaml").exists()


def test_edited_render_tree_is_reported(bundle, tmp_path):
    """render/ is for review; apply renders from the bundled charts and says when they differ."""
    edited = tmp_path / "edited.tar.gz"
    target = "render/30-sharing/10-configmap_gpu-operator_time-slicing-config.yaml"

    def change(name, data):
        if name == target:
            return data + b"# edited\n"
        if name == "bundle.json":
            manifest = json.loads(data)
            with tarfile.open(bundle) as t:
                manifest["files"][target] = "sha256:" + hashlib.sha256(t.extractfile(target).read() + b"# edited\n").hexdigest()
            return json.dumps(manifest).encode()
        return data

    repack(bundle, edited, change)
    r = run(["plan", "--bundle", edited, "--sim"], offline_env(tmp_path), cwd=tmp_path, check=0)
    assert "renders 1 file(s) differently from the bundle's render/ tree (first: 30-sharing/" in r.stderr, r.stderr
