"""Compares the chart's rendered RBAC with the table in expected-rbac.md, for every variant."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_support as cs  # noqa: E402

TABLE = Path(__file__).resolve().parent / "expected-rbac.md"

# Role name -> the ServiceAccount that must be bound to it.
SUBJECTS = {
    "vtguard-operator": "vtguard-operator",
    "vtguard-operator-leader-election": "vtguard-operator",
    "vtguard-operator-webhook-certificate": "vtguard-operator",
    "vtguard-operator-trust-bundle": "vtguard-operator",
    "vtguard-webhook": "vtguard-webhook",
}


def split_list(cell):
    return [item.strip() for item in cell.split(",") if item.strip()]


def conditions_hold(conditions, values):
    """Evaluates the When column of expected-rbac.md for one variant's values."""
    watch = cs.watch_namespace(values)
    satisfied = {
        "always": True,
        "every namespace": not watch,
        "one namespace": bool(watch),
        "operator certificate": not cs.cert_manager_enabled(values),
        "release not watched": bool(watch) and watch != cs.RELEASE_NAMESPACE,
        "trust bundle not watched": bool(watch) and watch != cs.trust_bundle_namespace(values),
    }
    for condition in conditions:
        if condition not in satisfied:
            raise ValueError(f"expected-rbac.md: unknown condition {condition!r}")
        if not satisfied[condition]:
            return False
    return True


def resolve_namespace(cell, values):
    """Maps the Namespace column to a namespace name (None for cluster-wide)."""
    names = {
        "cluster": None,
        "release": cs.RELEASE_NAMESPACE,
        "watch": cs.watch_namespace(values),
        "trust bundle": cs.trust_bundle_namespace(values),
    }
    if cell not in names:
        raise ValueError(f"expected-rbac.md: unknown namespace {cell!r}")
    return names[cell]


def table_rows():
    """Yields the cells of each rule row of the table."""
    for line in TABLE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 9 or cells[0] in ("Role", "") or set(cells[0]) <= {"-"}:
            continue
        yield cells


def expected_grants(values):
    """Returns the set of (role, kind, namespace, group, resource, verb, resource name) that the
    table grants for one variant's values."""
    grants = set()
    for role, kind, namespace, group, resources, verbs, names, when, _ in table_rows():
        if not conditions_hold(split_list(when), values):
            continue
        namespace = resolve_namespace(namespace, values)
        group = "" if group == "core" else group
        for resource in split_list(resources):
            for verb in split_list(verbs):
                for name in split_list(names) or [None]:
                    grants.add((role, kind, namespace, group, resource, verb, name))
    return grants


def rendered_grants(objects):
    grants = set()
    for kind in ("ClusterRole", "Role"):
        for role in cs.find(objects, kind):
            namespace = role["metadata"].get("namespace")
            for rule in role["rules"]:
                for group in rule["apiGroups"]:
                    for resource in rule["resources"]:
                        for verb in rule["verbs"]:
                            for name in rule.get("resourceNames") or [None]:
                                grants.add((role["metadata"]["name"], kind, namespace, group,
                                            resource, verb, name))
    return grants


class ChartRbac(unittest.TestCase):
    def test_table_parses(self):
        self.assertGreater(len(expected_grants({})), 20)
        self.assertGreater(len(expected_grants(cs.VARIANTS["one-namespace"])), 20)

    def test_rendered_rules_equal_the_table(self):
        for variant, values in cs.VARIANTS.items():
            with self.subTest(variant=variant):
                rendered = rendered_grants(cs.render(values))
                expected = expected_grants(values)
                self.assertEqual(sorted(rendered - expected, key=str), [],
                                 "granted by the chart but missing from expected-rbac.md")
                self.assertEqual(sorted(expected - rendered, key=str), [],
                                 "listed in expected-rbac.md but not granted by the chart")

    def test_one_namespace_has_no_cluster_object_access(self):
        for variant, values in cs.VARIANTS.items():
            if not cs.watch_namespace(values):
                continue
            with self.subTest(variant=variant):
                for grant in rendered_grants(cs.render(values)):
                    if grant[1] == "ClusterRole":
                        self.assertEqual(grant[3], "admissionregistration.k8s.io", grant)

    def test_cert_manager_drops_webhook_configuration_access(self):
        for variant, values in cs.VARIANTS.items():
            if not cs.cert_manager_enabled(values):
                continue
            with self.subTest(variant=variant):
                groups = {grant[3] for grant in rendered_grants(cs.render(values))}
                self.assertNotIn("admissionregistration.k8s.io", groups)

    def test_no_wildcards_or_escalation_verbs(self):
        for variant, values in cs.VARIANTS.items():
            with self.subTest(variant=variant):
                for grant in rendered_grants(cs.render(values)):
                    self.assertNotIn("*", grant)
                    self.assertNotIn(grant[5], ("escalate", "bind", "impersonate"))

    def test_roles_are_bound_to_their_service_accounts(self):
        for variant, values in cs.VARIANTS.items():
            with self.subTest(variant=variant):
                self.check_bindings(cs.render(values))

    def check_bindings(self, objects):
        roles = {(r["kind"], r["metadata"].get("namespace"), r["metadata"]["name"])
                 for r in cs.find(objects, "ClusterRole") + cs.find(objects, "Role")}
        bound = set()
        for binding in cs.find(objects, "ClusterRoleBinding") + cs.find(objects, "RoleBinding"):
            name = binding["metadata"]["name"]
            self.assertEqual(len(binding["subjects"]), 1, name)
            subject = binding["subjects"][0]
            self.assertEqual(subject["kind"], "ServiceAccount")
            self.assertEqual(subject["namespace"], cs.RELEASE_NAMESPACE)
            expected_kind = "ClusterRole" if binding["kind"] == "ClusterRoleBinding" else "Role"
            self.assertEqual(binding["roleRef"]["kind"], expected_kind)
            role_name = binding["roleRef"]["name"]
            self.assertEqual(subject["name"], SUBJECTS.get(role_name), role_name)
            bound.add((expected_kind, binding["metadata"].get("namespace"), role_name))
        self.assertEqual(bound, roles, "every Role and ClusterRole has a binding")
        accounts = {a["metadata"]["name"] for a in cs.find(objects, "ServiceAccount")}
        self.assertEqual(accounts, set(SUBJECTS.values()))
        for deployment in cs.find(objects, "Deployment"):
            account = deployment["spec"]["template"]["spec"]["serviceAccountName"]
            self.assertEqual(account, deployment["metadata"]["name"])


if __name__ == "__main__":
    unittest.main(verbosity=1)
