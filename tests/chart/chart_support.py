"""Helpers shared by the chart tests: paths, helm invocation and rendering."""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NODE_MODULES = REPO / ".tools" / "node_modules"
CHART = REPO / "charts" / "vtguard"
RELEASE_NAME = "vtguard"
RELEASE_NAMESPACE = "vtguard-system"
# Newest minor that the chart is tested against; the VAP variant needs at least 1.30.
KUBE_VERSION = "1.31.0"

# Value sets rendered by the tests: the defaults and every optional feature turned on.
VARIANTS = {
    "defaults": {},
    "cert-manager": {"certManager": {"enabled": True}},
    "monitoring": {
        "monitoring": {
            "serviceMonitor": {"enabled": True},
            "prometheusRule": {"enabled": True},
            "dashboard": {"enabled": True},
        }
    },
    "admission-policy": {"validatingAdmissionPolicy": {"enabled": True}},
    "one-namespace": {
        "watchNamespace": "vitess",
        "operator": {"trustBundleNamespace": "vitess-operator"},
        "validatingAdmissionPolicy": {"enabled": True},
    },
    "one-namespace-cert-manager": {"watchNamespace": "vitess", "certManager": {"enabled": True}},
    "one-namespace-is-release": {"watchNamespace": RELEASE_NAMESPACE},
    "everything": {
        "image": {"tag": "0.1.0-rc1", "digest": "sha256:" + "ab" * 32},
        "imagePullSecrets": ["registry-credentials"],
        "certManager": {"enabled": True},
        "validatingAdmissionPolicy": {"enabled": True, "validationActions": ["Warn", "Audit"]},
        "monitoring": {
            "serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}},
            "prometheusRule": {"enabled": True, "labels": {"release": "prometheus"}},
            "dashboard": {"enabled": True},
        },
        "webhook": {
            "excludedNamespaces": ["vitess-operator"],
            "maxConnections": 512,
            "shutdownTimeout": "20s",
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "tolerations": [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}],
            "priorityClassName": "vitess-critical",
        },
        "operator": {"trustBundleNamespace": "vitess-operator", "leaderElection": {"enabled": True, "leaseName": "vtguard-operator"}},
    },
}


def watch_namespace(values):
    """Returns the watchNamespace of a variant ("" for every namespace)."""
    return values.get("watchNamespace", "")


def trust_bundle_namespace(values):
    """Returns the namespace of the trust bundle Secret for a variant."""
    return values.get("operator", {}).get("trustBundleNamespace") or RELEASE_NAMESPACE


def cert_manager_enabled(values):
    return bool(values.get("certManager", {}).get("enabled"))


def helm_path():
    """Returns the helm binary, or raises with the command that installs it."""
    path = Path(os.environ.get("VTGUARD_HELM", REPO / ".tools" / "helm"))
    if not os.access(path, os.X_OK):
        raise FileNotFoundError(
            f"helm not found at {path}; run scripts/install-deps.sh (it installs helm v3.17.2 "
            "into .tools/helm) or set VTGUARD_HELM")
    return str(path)


def run_helm(*args):
    """Runs helm with the arguments; returns the CompletedProcess (text mode)."""
    return subprocess.run([helm_path(), *args], capture_output=True, text=True, timeout=120)


def template(values, kube_version=KUBE_VERSION, namespace=RELEASE_NAMESPACE):
    """Runs `helm template` with the values; returns the CompletedProcess."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as file:
        yaml.safe_dump(values, file)
        file.flush()
        return run_helm("template", RELEASE_NAME, str(CHART), "--namespace", namespace,
                        "--kube-version", kube_version, "--values", file.name)


def lint(values, kube_version=KUBE_VERSION):
    """Runs `helm lint --strict` with the values; returns the CompletedProcess."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as file:
        yaml.safe_dump(values, file)
        file.flush()
        return run_helm("lint", "--strict", str(CHART), "--namespace", RELEASE_NAMESPACE,
                        "--kube-version", kube_version, "--values", file.name)


def render(values, kube_version=KUBE_VERSION, namespace=RELEASE_NAMESPACE):
    """Renders the chart and returns the parsed objects (None documents dropped)."""
    result = template(values, kube_version, namespace)
    if result.returncode != 0:
        raise AssertionError(f"helm template failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def find(objects, kind, name=None):
    """Returns the objects of one kind (and name, when given)."""
    return [o for o in objects
            if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]


def evaluate_cel(cases):
    """Evaluates CEL cases ({"expression", "variables"} or {"expression", "parseOnly": True})
    with cel_eval.mjs; returns one {"value"} or {"error"} per case."""
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "@marcbachmann" / "cel-js").is_dir():
        raise FileNotFoundError("node or .tools/node_modules/@marcbachmann/cel-js is missing; "
                                "run scripts/install-deps.sh")
    result = subprocess.run([node, str(HERE / "cel_eval.mjs"), str(NODE_MODULES)],
                            input=json.dumps({"cases": cases}), capture_output=True, text=True,
                            timeout=60)
    if result.returncode != 0:
        raise AssertionError(f"cel_eval.mjs failed: {result.stderr}")
    return json.loads(result.stdout)


def validate_objects(objects):
    """Validates objects against the API schemas with validate_objects.mjs; returns one
    {"kind", "name", "errors"} entry per object."""
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "kubernetes-models").is_dir():
        raise FileNotFoundError("node or .tools/node_modules/kubernetes-models is missing; "
                                "run scripts/install-deps.sh")
    result = subprocess.run([node, str(HERE / "validate_objects.mjs"), str(NODE_MODULES)],
                            input=json.dumps(objects), capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"validate_objects.mjs failed: {result.stderr}")
    return json.loads(result.stdout)
