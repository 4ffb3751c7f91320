#!/usr/bin/env python3
"""Writes an admission.k8s.io/v1 AdmissionReview for the first VitessCluster of a manifest."""
import json
import sys

import yaml

manifest, output = sys.argv[1], sys.argv[2]
with open(manifest, encoding="utf-8") as f:
    cluster = next(d for d in yaml.safe_load_all(f) if d and d.get("kind") == "VitessCluster")
review = {
    "apiVersion": "admission.k8s.io/v1",
    "kind": "AdmissionReview",
    "request": {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "kind": {"group": "planetscale.com", "version": "v2", "kind": "VitessCluster"},
        "resource": {"group": "planetscale.com", "version": "v2", "resource": "vitessclusters"},
        "name": cluster["metadata"]["name"],
        "namespace": cluster["metadata"].get("namespace", "default"),
        "operation": "CREATE",
        "userInfo": {"username": "kubernetes-admin", "groups": ["system:masters"]},
        "object": cluster,
        "oldObject": None,
        "dryRun": False,
    },
}
with open(output, "w", encoding="utf-8") as f:
    json.dump(review, f, separators=(",", ":"))
