"""Evaluates the chart's CEL expressions (ValidatingAdmissionPolicy validations and webhook
matchConditions) on real VitessCluster manifests and on Pods, with the cel-js evaluator.

cel-js implements standard CEL, not the Kubernetes extension libraries. The expressions use
only standard macros and functions, so a pass here also shows that they need no extension.
"""

import copy
import os
import sys
import unittest
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_support as cs  # noqa: E402

SHARED = Path(os.environ.get("VTGUARD_SHARED_DATA_DIR", cs.REPO.parent / "shared"))
MANIFESTS = SHARED / "data" / "vitess-operator"


def evaluate(cases):
    """Evaluates [(expression, variables)] and returns the list of {"value"} or {"error"}."""
    return cs.evaluate_cel([{"expression": e, "variables": v} for e, v in cases])


def load_cluster(name):
    for doc in yaml.safe_load_all((MANIFESTS / name).read_text()):
        if doc and doc.get("kind") == "VitessCluster":
            return doc
    raise AssertionError(f"no VitessCluster in {name}")


def tablet_pools(cluster):
    for keyspace in cluster["spec"].get("keyspaces", []):
        for partitioning in keyspace.get("partitionings", []):
            yield from partitioning.get("equal", {}).get("shardTemplate", {}).get("tabletPools", [])
            for shard in partitioning.get("custom", {}).get("shards", []):
                yield from shard.get("tabletPools", [])


def with_tablet_tls(cluster, cert="grpc-cert", key="grpc-key"):
    secured = copy.deepcopy(cluster)
    for pool in tablet_pools(secured):
        flags = pool.setdefault("vttablet", {}).setdefault("extraFlags", {})
        flags[cert] = "/vt/vtguard/tls/tls.crt"
        flags[key] = "/vt/vtguard/tls/tls.key"
    return secured


def custom_partitioned(cluster):
    """Moves the first keyspace's pools into a custom partitioning with two shards."""
    custom = copy.deepcopy(cluster)
    keyspace = custom["spec"]["keyspaces"][0]
    pools = keyspace["partitionings"][0]["equal"]["shardTemplate"]["tabletPools"]
    keyspace["partitionings"] = [{"custom": {"shards": [
        {"keyRange": {"end": "80"}, "tabletPools": copy.deepcopy(pools)},
        {"keyRange": {"start": "80"}, "tabletPools": copy.deepcopy(pools)},
    ]}}]
    return custom


class AdmissionPolicyCel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        objects = cs.render(cs.VARIANTS["admission-policy"])
        policy = cs.find(objects, "ValidatingAdmissionPolicy")[0]["spec"]
        cls.validations = [v["expression"] for v in policy["validations"]]
        cls.match_conditions = [c["expression"] for c in policy["matchConditions"]]
        cls.plain = load_cluster("101_initial_cluster.yaml")

    def verdicts(self, cluster):
        """Returns one bool per validation; an evaluation error fails the test."""
        results = evaluate([(e, {"object": cluster}) for e in self.validations])
        for expression, result in zip(self.validations, results):
            self.assertNotIn("error", result, expression)
        return [r["value"] for r in results]

    def test_three_validations(self):
        self.assertEqual(len(self.validations), 3)

    def test_cluster_without_tls_is_rejected(self):
        for name in ("101_initial_cluster.yaml", "101_initial_cluster_vtorc_vtadmin.yaml",
                     "201_customer_tablets.yaml"):
            with self.subTest(manifest=name):
                self.assertEqual(self.verdicts(load_cluster(name)), [False, True, True])

    def test_cluster_with_tablet_tls_is_admitted(self):
        for name in ("101_initial_cluster.yaml", "201_customer_tablets.yaml"):
            for cert, key in (("grpc-cert", "grpc-key"), ("grpc_cert", "grpc_key")):
                with self.subTest(manifest=name, spelling=cert):
                    cluster = with_tablet_tls(load_cluster(name), cert, key)
                    self.assertEqual(self.verdicts(cluster), [True, True, True])

    def test_pool_with_cert_but_no_key_is_rejected(self):
        cluster = with_tablet_tls(load_cluster("201_customer_tablets.yaml"))
        last_pool = list(tablet_pools(cluster))[-1]
        del last_pool["vttablet"]["extraFlags"]["grpc-key"]
        self.assertEqual(self.verdicts(cluster), [False, True, True])

    def test_custom_partitioning_is_checked(self):
        cluster = custom_partitioned(self.plain)
        self.assertEqual(self.verdicts(cluster)[0], False)
        self.assertEqual(self.verdicts(with_tablet_tls(cluster))[0], True)

    def test_cluster_without_keyspaces_is_admitted(self):
        cluster = {"apiVersion": "planetscale.com/v2", "kind": "VitessCluster",
                   "metadata": {"name": "empty"}, "spec": {}}
        self.assertEqual(self.verdicts(cluster), [True, True, True])

    def test_extra_vitess_client_flags_rejected(self):
        for flag in ("tablet-grpc-ca", "tablet_grpc_server_name"):
            with self.subTest(flag=flag):
                cluster = with_tablet_tls(self.plain)
                cluster["spec"].setdefault("extraVitessFlags", {})[flag] = "x"
                self.assertEqual(self.verdicts(cluster), [True, False, True])

    def test_nonexistent_vreplication_ssl_flags_are_rejected(self):
        cluster = with_tablet_tls(self.plain)
        next(tablet_pools(cluster))["vttablet"]["extraFlags"]["vreplication_ssl_ca"] = "/ca"
        self.assertEqual(self.verdicts(cluster), [True, True, False])
        cluster = with_tablet_tls(self.plain)
        cluster["spec"]["extraVitessFlags"] = {"vreplication_ssl_cert": "/c"}
        self.assertEqual(self.verdicts(cluster), [True, True, False])

    def test_objects_being_deleted_are_not_matched(self):
        cluster = copy.deepcopy(self.plain)
        results = evaluate([(e, {"object": cluster}) for e in self.match_conditions])
        self.assertEqual([r.get("value") for r in results], [True])
        cluster["metadata"]["deletionTimestamp"] = "2026-12-04T00:00:00Z"
        results = evaluate([(e, {"object": cluster}) for e in self.match_conditions])
        self.assertEqual([r.get("value") for r in results], [False])


class WebhookMatchConditionsCel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        objects = cs.render({})
        cls.conditions = {}
        for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
            for webhook in cs.find(objects, kind)[0]["webhooks"]:
                cls.conditions[(kind, webhook["name"])] = [
                    c["expression"] for c in webhook.get("matchConditions", [])]

    def matched_webhooks(self, pod):
        """Returns the names of pod webhooks whose matchConditions all hold for the Pod."""
        keys = [k for k in self.conditions if "pods" in k[1]]
        cases = [(e, {"object": pod}) for k in keys for e in self.conditions[k]]
        results = iter(evaluate(cases))
        matched = set()
        for key in keys:
            values = [next(results) for _ in self.conditions[key]]
            for value in values:
                self.assertNotIn("error", value, key)
            if all(v["value"] for v in values):
                matched.add(key[1].split(".", 1)[0])
        return matched

    def test_pods_reach_exactly_one_pod_webhook_per_configuration(self):
        cases = [
            ({"planetscale.com/component": "vttablet"}, {"vttablet-pods"}),
            ({"vtguard.io/inject": "true"}, {"opt-in-pods"}),
            ({"planetscale.com/component": "vttablet", "vtguard.io/inject": "true"}, {"vttablet-pods"}),
            ({"planetscale.com/component": "vtgate"}, set()),
            ({"vtguard.io/inject": "false"}, set()),
            ({}, set()),
            (None, set()),
        ]
        for labels, expected in cases:
            with self.subTest(labels=labels):
                metadata = {"name": "p"} if labels is None else {"name": "p", "labels": labels}
                pod = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": {}}
                self.assertEqual(self.matched_webhooks(pod), expected)


if __name__ == "__main__":
    unittest.main(verbosity=1)
