"""Compares the chart's rendered RBAC with the table in expected-rbac.md."""

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
    "vtguard-webhook": "vtguard-webhook",
}


def split_list(cell):
    return [item.strip() for item in cell.split(",") if item.strip()]


def expected_grants():
    """Parses the table into a set of (role, kind, group, resource, verb, resource name)."""
    grants = set()
    for line in TABLE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 7 or cells[0] in ("Role", "") or set(cells[0]) <= {"-"}:
            continue
        role, kind, group, resources, verbs, names, _ = cells
        group = "" if group == "core" else group
        for resource in split_list(resources):
            for verb in split_list(verbs):
                for name in split_list(names) or [None]:
                    grants.add((role, kind, group, resource, verb, name))
    return grants


def rendered_grants(objects):
    grants = set()
    for kind in ("ClusterRole", "Role"):
        for role in cs.find(objects, kind):
            for rule in role["rules"]:
                for group in rule["apiGroups"]:
                    for resource in rule["resources"]:
                        for verb in rule["verbs"]:
                            for name in rule.get("resourceNames") or [None]:
                                grants.add((role["metadata"]["name"], kind, group, resource,
                                            verb, name))
    return grants


class ChartRbac(unittest.TestCase):
    def test_table_parses(self):
        self.assertGreater(len(expected_grants()), 20)

    def test_rendered_rules_equal_the_table(self):
        for variant, values in cs.VARIANTS.items():
            with self.subTest(variant=variant):
                rendered = rendered_grants(cs.render(values))
                expected = expected_grants()
                self.assertEqual(sorted(rendered - expected, key=str), [],
                                 "granted by the chart but missing from expected-rbac.md")
                self.assertEqual(sorted(expected - rendered, key=str), [],
                                 "listed in expected-rbac.md but not granted by the chart")

    def test_no_wildcards_or_escalation_verbs(self):
        for grant in rendered_grants(cs.render({})):
            self.assertNotIn("*", grant)
            self.assertNotIn(grant[4], ("escalate", "bind", "impersonate"))

    def test_roles_are_bound_to_their_service_accounts(self):
        objects = cs.render({})
        bindings = cs.find(objects, "ClusterRoleBinding") + cs.find(objects, "RoleBinding")
        bound = {}
        for binding in bindings:
            self.assertEqual(len(binding["subjects"]), 1, binding["metadata"]["name"])
            subject = binding["subjects"][0]
            self.assertEqual(subject["kind"], "ServiceAccount")
            self.assertEqual(subject["namespace"], cs.RELEASE_NAMESPACE)
            expected_kind = "ClusterRole" if binding["kind"] == "ClusterRoleBinding" else "Role"
            self.assertEqual(binding["roleRef"]["kind"], expected_kind)
            bound[binding["roleRef"]["name"]] = subject["name"]
        self.assertEqual(bound, SUBJECTS)
        accounts = {a["metadata"]["name"] for a in cs.find(objects, "ServiceAccount")}
        self.assertEqual(accounts, set(SUBJECTS.values()))
        for deployment in cs.find(objects, "Deployment"):
            account = deployment["spec"]["template"]["spec"]["serviceAccountName"]
            self.assertEqual(account, deployment["metadata"]["name"])


if __name__ == "__main__":
    unittest.main(verbosity=1)
