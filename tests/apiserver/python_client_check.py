#!/usr/bin/python3
"""Drives the test API server with the official Python Kubernetes client.

Usage: python_client_check.py KUBECONFIG VITESSCLUSTER_YAML

Exercises a Secret and a VitessCluster (its CRD must be registered): create, get, list with
label and field selectors, merge and JSON patches, a conflict on a stale update, watch and
delete. Prints one line per check and exits non-zero on the first failure.
"""

import sys
import threading

import yaml
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

NAMESPACE = "pyclient"


def check(condition, what):
    if not condition:
        print(f"FAIL {what}")
        sys.exit(1)
    print(f"ok {what}")


def secret_checks(core):
    body = client.V1Secret(
        metadata=client.V1ObjectMeta(name="py-secret", labels={"app": "py", "tier": "a"}),
        string_data={"token": "abc"},
        type="Opaque",
    )
    created = core.create_namespaced_secret(NAMESPACE, body)
    check(created.metadata.uid and created.metadata.resource_version, "secret create sets uid and rv")
    check(created.data == {"token": "YWJj"}, "secret stringData folded into data")

    try:
        core.create_namespaced_secret(NAMESPACE, body)
        check(False, "second create conflicts")
    except ApiException as e:
        check(e.status == 409, "second create conflicts")

    got = core.read_namespaced_secret("py-secret", NAMESPACE)
    check(got.metadata.name == "py-secret", "secret get")

    other = client.V1Secret(metadata=client.V1ObjectMeta(name="py-other", labels={"app": "other"}))
    core.create_namespaced_secret(NAMESPACE, other)
    by_label = core.list_namespaced_secret(NAMESPACE, label_selector="app=py")
    check([s.metadata.name for s in by_label.items] == ["py-secret"], "secret list by label")
    by_set = core.list_namespaced_secret(NAMESPACE, label_selector="app in (py,other),tier!=b")
    check(len(by_set.items) == 2, "secret list by set-based selector")
    by_field = core.list_namespaced_secret(NAMESPACE, field_selector="metadata.name=py-other")
    check([s.metadata.name for s in by_field.items] == ["py-other"], "secret list by field")
    page = core.list_namespaced_secret(NAMESPACE, limit=1)
    check(len(page.items) == 1 and page.metadata._continue, "secret list first page")
    rest = core.list_namespaced_secret(NAMESPACE, limit=1, _continue=page.metadata._continue)
    check(len(rest.items) == 1 and rest.items[0].metadata.name != page.items[0].metadata.name,
          "secret list second page")

    patched = core.patch_namespaced_secret("py-secret", NAMESPACE,
                                           {"metadata": {"labels": {"tier": "b"}}})
    check(patched.metadata.labels == {"app": "py", "tier": "b"}, "secret merge patch")

    stale = got
    stale.metadata.labels = {"app": "stale"}
    try:
        core.replace_namespaced_secret("py-secret", NAMESPACE, stale)
        check(False, "stale update conflicts")
    except ApiException as e:
        check(e.status == 409, "stale update conflicts")

    core.delete_namespaced_secret("py-secret", NAMESPACE)
    try:
        core.read_namespaced_secret("py-secret", NAMESPACE)
        check(False, "deleted secret is gone")
    except ApiException as e:
        check(e.status == 404, "deleted secret is gone")


def json_patch(custom, path, operations):
    """Sends an RFC 6902 patch; CustomObjectsApi itself only sends merge patches."""
    return custom.api_client.call_api(
        path, "PATCH", header_params={"Content-Type": "application/json-patch+json",
                                      "Accept": "application/json"},
        body=operations, auth_settings=["BearerToken"], response_type="object",
        _return_http_data_only=True)


def vitesscluster_checks(custom, manifest):
    group, version, plural = "planetscale.com", "v2", "vitessclusters"
    manifest["metadata"]["namespace"] = NAMESPACE
    manifest["metadata"]["labels"] = {"env": "py"}
    seen = []
    ready = threading.Event()

    def watch_clusters():
        w = watch.Watch()
        ready.set()
        for event in w.stream(custom.list_namespaced_custom_object, group, version, NAMESPACE,
                              plural, timeout_seconds=5):
            seen.append((event["type"], event["object"]["metadata"]["name"]))
            if event["type"] == "DELETED":
                w.stop()

    watcher = threading.Thread(target=watch_clusters)
    watcher.start()
    ready.wait(5)

    created = custom.create_namespaced_custom_object(group, version, NAMESPACE, plural, manifest)
    name = created["metadata"]["name"]
    check(created["metadata"]["generation"] == 1, "vitesscluster create sets generation 1")
    got = custom.get_namespaced_custom_object(group, version, NAMESPACE, plural, name)
    check(got["spec"]["cells"][0]["name"] == "zone1", "vitesscluster get")
    listed = custom.list_namespaced_custom_object(group, version, NAMESPACE, plural,
                                                  label_selector="env=py")
    check(len(listed["items"]) == 1, "vitesscluster list by label")
    patched = custom.patch_namespaced_custom_object(
        group, version, NAMESPACE, plural, name, {"metadata": {"annotations": {"a": "b"}}})
    check(patched["metadata"]["generation"] == 1, "metadata patch keeps generation")
    path = f"/apis/{group}/{version}/namespaces/{NAMESPACE}/{plural}/{name}"
    patched = json_patch(custom, path,
                         [{"op": "test", "path": "/spec/cells/0/name", "value": "zone1"},
                          {"op": "replace", "path": "/spec/cells/0/name", "value": "zone9"}])
    check(patched["metadata"]["generation"] == 2, "spec JSON patch bumps generation")
    try:
        json_patch(custom, path, [{"op": "test", "path": "/spec/cells/0/name", "value": "zone1"}])
        check(False, "failed JSON patch test is rejected")
    except ApiException as e:
        check(e.status == 422, "failed JSON patch test is rejected")
    custom.delete_namespaced_custom_object(group, version, NAMESPACE, plural, name)
    watcher.join(10)
    check(("ADDED", name) in seen and ("DELETED", name) in seen, "vitesscluster watch events")


def main():
    config.load_kube_config(config_file=sys.argv[1])
    core = client.CoreV1Api()
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NAMESPACE)))
    secret_checks(core)
    with open(sys.argv[2], encoding="utf-8") as f:
        manifest = next(d for d in yaml.safe_load_all(f) if d and d["kind"] == "VitessCluster")
    vitesscluster_checks(client.CustomObjectsApi(), manifest)
    print("all checks passed")


if __name__ == "__main__":
    main()
