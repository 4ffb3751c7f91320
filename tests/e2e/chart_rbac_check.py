"""Compares the API requests that vtguard-operator and vtguard-webhook made (a request log
written by vtguard-test-apiserver --request-log) with the RBAC rules that the chart grants to
their ServiceAccounts.

usage: chart_rbac_check.py REQUEST_LOG NAMESPACE [VALUES_JSON]

VALUES_JSON is a JSON object of chart values to render with (default: the chart's defaults),
e.g. '{"watchNamespace": "vitess"}' for the single-namespace RBAC.

Prints one JSON object: {"requests": {user: count}, "missing": [...], "unused": [...]}, where
"missing" lists permissions used but not granted and "unused" lists granted rules that no
request needed."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chart"))
import chart_support as cs  # noqa: E402

ACCOUNTS = ("vtguard-operator", "vtguard-webhook")


def service_account_user(namespace, name):
    return f"system:serviceaccount:{namespace}:{name}"


def bound_rules(objects, namespace):
    """Returns user -> list of (rule, namespace or None for cluster-wide)."""
    roles = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o
             for o in objects if o["kind"] in ("ClusterRole", "Role")}
    granted = {}
    for binding in objects:
        if binding["kind"] not in ("ClusterRoleBinding", "RoleBinding"):
            continue
        scope = binding["metadata"].get("namespace") if binding["kind"] == "RoleBinding" else None
        ref = binding["roleRef"]
        role_ns = scope if ref["kind"] == "Role" else None
        role = roles.get((ref["kind"], role_ns, ref["name"]))
        if role is None:
            continue
        for subject in binding.get("subjects", []):
            if subject["kind"] != "ServiceAccount":
                continue
            user = service_account_user(subject.get("namespace", namespace), subject["name"])
            granted.setdefault(user, []).extend((rule, scope) for rule in role.get("rules", []))
    return granted


def verb_of(record):
    if record["method"] == "GET" and ("watch=1" in record["path"] or "watch=true" in record["path"]):
        return "watch"
    return record["verb"]


def allows(rule, scope, use):
    verb, group, resource, ns, name = use
    if scope is not None and ns != scope:
        return False
    if not ({"*", verb} & set(rule.get("verbs", []))):
        return False
    if not ({"*", group} & set(rule.get("apiGroups", []))):
        return False
    if not ({"*", resource} & set(rule.get("resources", []))):
        return False
    names = rule.get("resourceNames")
    return not names or name in names


def describe(rule, scope):
    where = f" in namespace {scope}" if scope else ""
    names = f" named {','.join(rule['resourceNames'])}" if rule.get("resourceNames") else ""
    return (f"{','.join(rule.get('verbs', []))} {','.join(rule.get('apiGroups', [])) or 'core'}/"
            f"{','.join(rule.get('resources', []))}{names}{where}")


def main(log_path, namespace, values):
    records = json.loads(Path(log_path).read_text())
    objects = cs.render(values, namespace=namespace)
    granted = bound_rules(objects, namespace)
    report = {"requests": {}, "missing": [], "unused": []}
    for account in ACCOUNTS:
        user = service_account_user(namespace, account)
        rules = granted.get(user, [])
        used_rules = set()
        uses = set()
        for record in records:
            if record["user"] != user or record["status"] == 401 or not record["resource"]:
                continue
            report["requests"][user] = report["requests"].get(user, 0) + 1
            resource = record["resource"]
            if record["subresource"]:
                resource += "/" + record["subresource"]
            uses.add((verb_of(record), record["apiGroup"], resource, record["namespace"],
                      record["name"]))
        for use in sorted(uses):
            matching = [i for i, (rule, scope) in enumerate(rules) if allows(rule, scope, use)]
            used_rules.update(matching)
            if not matching:
                verb, group, resource, ns, name = use
                report["missing"].append(
                    f"{account}: {verb} {group or 'core'}/{resource}"
                    f"{' in namespace ' + ns if ns else ''}{' named ' + name if name else ''}")
        for i, (rule, scope) in enumerate(rules):
            if i not in used_rules:
                report["unused"].append(f"{account}: {describe(rule, scope)}")
    print(json.dumps(report))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) == 4 else {})
