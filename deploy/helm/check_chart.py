#!/usr/bin/env python3
"""Checks the Helm chart without a cluster or a helm binary (`make chart-check`).

1. Helm's own linter (Helm's Go SDK through PyPI `helm-python-sdk`), strict.
2. Renders the chart with its default values and `examples/production.yaml` (WMS kind Ongoing)
   and with `examples/ogoship.yaml` (kind OGOship), and validates every manifest against the
   Kubernetes schemas (PyPI `kubernetes-validate`). Per kind, exactly that kind's WMS gateway
   gets a Deployment, Service, PDB, NetworkPolicy, `[runtime.grpc]` table and ingress route, and
   the other WMS gateway gets none.
3. For every Deployment, takes the rendered ConfigMap and the container's environment (secret
   references filled with placeholders) and runs `centra-wms config check` on them, so a chart
   whose config the binary refuses cannot land; a deliberately broken config must be refused.
4. Values that break the schema (an unknown key, a wrong type) must be refused, and so must a
   `config` whose `[wms] kind` disagrees with `wms.kind`, with the chart's message.
5. The admin web page (`adminWeb`): off by default (no object of it); enabled in the
   production example it is a Deployment running `serve admin-web` on the port its Service and
   NetworkPolicy name, with the password hash and cookie key from Secrets, whose config the
   binary checks (a hash it cannot read fails); its `traceUrl` reaches `[admin_web] trace_url`
   (a value the binary refuses fails the check, none sets no variable); more than one replica
   without a session key is refused.

Usage: check_chart.py PATH_TO_CENTRA_WMS_BINARY
Prints one line per check and ends with `N passed, N failed`; exits 1 on any failure.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import helm_python
import kubernetes_validate
import yaml

CHART = Path(__file__).resolve().parent / "centra-wms"
KUBERNETES = "1.32.0"
# Kinds from CRDs: no schema in kubernetes-validate; checked by the chart's own schema only.
CRD_KINDS = {("monitoring.coreos.com/v1", "ServiceMonitor")}
# What the chart's secret references stand for in the config check.
PLACEHOLDERS = {
    "CENTRA_WMS__RUNTIME__DATABASE_URL": "postgres://centra:placeholder@postgres:5432/centra_wms",
    "CENTRA_WMS__RUNTIME__NATS_URL": "nats://nats:4222",
    # The argon2 hash of "change-me" (config/centra-wms.example.toml's example).
    "CENTRA_WMS__ADMIN_WEB__PASSWORD_HASH": "$argon2id$v=19$m=19456,t=2,p=1$bA4EPSlxNFGXh0y8MyWmBA$O7/1gmtmA7xgSjpwl0R2/nwES1BiX6rBU/byPAOYkwI",
    "CENTRA_WMS__ADMIN_WEB__SESSION_KEY": "placeholder-session-key-of-more-than-32-characters",
}
ADMIN_WEB = "shop-admin-web"
# The gateway that speaks to each WMS kind, and the path its webhook receiver serves.
WMS_GATEWAYS = {"ongoing": "ongoing-gateway", "ogoship": "ogoship-gateway"}
WMS_WEBHOOK_PATHS = {"ongoing": "/webhooks/ongoing", "ogoship": "/webhooks/ogoship"}
# How the chart refuses a `config` whose [wms] kind disagrees with wms.kind.
KIND_MISMATCH = "wms.kind is"

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}")


def render(values):
    chart = helm_python.Chart.load(str(CHART))
    try:
        out = chart.render(values, name="shop", namespace="centra-wms", is_install=True)
    finally:
        chart.close()
    docs = []
    for path, text in sorted(out.items()):
        for doc in yaml.safe_load_all(text):
            if doc:
                docs.append((path, doc))
    return docs


def config_check(binary, deployment, configmaps, secrets=None):
    """Runs `centra-wms config check` on what one Deployment's container would read (secret
    references as PLACEHOLDERS, or as `secrets` says)."""
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    args = container["args"]
    config_path = args[args.index("--config") + 1]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = deployment["spec"]["template"]["spec"]["volumes"]
    config_volume = next(v for v in volumes if mounts.get(v["name"]) == str(Path(config_path).parent))
    data = configmaps[config_volume["configMap"]["name"]]
    text = data[Path(config_path).name]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CENTRA_WMS")}
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        else:
            env[var["name"]] = {**PLACEHOLDERS, **(secrets or {})}.get(
                var["name"], "placeholder-secret"
            )
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(text)
    try:
        run = subprocess.run(
            [binary, "config", "check", f.name], env=env, capture_output=True, text=True
        )
    finally:
        os.unlink(f.name)
    return run.returncode, run.stdout + run.stderr, args


def check_rendering(binary, label, values):
    try:
        docs = render(values)
    except helm_python.HelmError as error:
        check(f"{label}: renders", False, str(error))
        return []
    check(f"{label}: renders ({len(docs)} manifests)", True)
    for path, doc in docs:
        kind = (doc.get("apiVersion"), doc.get("kind"))
        name = f"{label}: {doc['kind']} {doc['metadata']['name']} is valid Kubernetes {KUBERNETES}"
        if kind in CRD_KINDS:
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES, strict=True)
            check(name, True)
        except kubernetes_validate.ValidationError as error:
            check(name, False, f"{path}: {error.message} at {list(error.path)}")
    configmaps = {d["metadata"]["name"]: d["data"] for _, d in docs if d["kind"] == "ConfigMap"}
    for deployment in (d for _, d in docs if d["kind"] == "Deployment"):
        code, output, args = config_check(binary, deployment, configmaps)
        service = args[1]
        check(
            f"{label}: {service}'s config passes `centra-wms config check`",
            code == 0,
            output.strip()[-800:],
        )
    return docs


def check_wms_kind(label, docs, kind):
    """Only the gateway of `kind` runs: its objects, config table and route, none of the other's."""
    if not docs:
        check(f"{label}: WMS kind {kind}", False, "did not render")
        return
    running = WMS_GATEWAYS[kind]
    names = {(d["kind"], d["metadata"]["name"]) for _, d in docs}
    per_service = ["Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy"]
    for gateway in WMS_GATEWAYS.values():
        full = f"shop-{gateway}"
        if gateway == running:
            missing = [k for k in per_service if (k, full) not in names]
            check(f"{label}: {gateway} runs ({', '.join(per_service)})", not missing, f"no {missing}")
        else:
            present = sorted(k for k, n in names if n == full)
            check(f"{label}: {gateway} does not run (no object of it)", not present, f"has {present}")
    deployments = sorted(
        d["spec"]["template"]["spec"]["containers"][0]["args"][1]
        for _, d in docs
        if d["kind"] == "Deployment" and d["metadata"]["name"] != ADMIN_WEB
    )
    expected = sorted(
        ["centra-gateway", running, "catalog-sync", "order-sync", "stock-sync", "returns-sync"]
    )
    check(f"{label}: the six services of kind {kind} are served", deployments == expected, str(deployments))
    config = next(d for _, d in docs if d["kind"] == "ConfigMap")["data"]["centra-wms.toml"]
    tables = {
        gateway: f"[runtime.grpc.{gateway.replace('-', '_')}]" in config
        for gateway in WMS_GATEWAYS.values()
    }
    check(
        f"{label}: the config has [runtime.grpc] for {running} only",
        tables == {g: g == running for g in WMS_GATEWAYS.values()},
        str(tables),
    )
    for _, d in docs:
        if d["kind"] != "Ingress":
            continue
        routes = {
            p["path"]: p["backend"]["service"]["name"]
            for rule in d["spec"]["rules"]
            for p in rule["http"]["paths"]
        }
        check(
            f"{label}: the ingress routes {WMS_WEBHOOK_PATHS[kind]} to {running} and no other WMS",
            routes.get(WMS_WEBHOOK_PATHS[kind]) == f"shop-{running}"
            and not any(
                path in routes for k, path in WMS_WEBHOOK_PATHS.items() if k != kind
            ),
            str(routes),
        )


def check_admin_web(label, docs, enabled):
    """The page's objects: none when off; when on, one port from the container to the Service
    and the NetworkPolicy, and the sign-in secrets read from Secrets."""
    objects = {d["kind"]: d for _, d in docs if d["metadata"]["name"] == ADMIN_WEB}
    if not enabled:
        check(f"{label}: no admin web page (adminWeb off)", not objects, str(sorted(objects)))
        return
    missing = [k for k in ["Deployment", "Service", "NetworkPolicy"] if k not in objects]
    check(f"{label}: admin-web has a Deployment, Service and NetworkPolicy", not missing, f"no {missing}")
    if missing:
        return
    container = objects["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    port = next(p["containerPort"] for p in container["ports"] if p["name"] == "http")
    check(
        f"{label}: admin-web runs `centra-wms serve admin-web`",
        container["args"][:2] == ["serve", "admin-web"],
        str(container["args"]),
    )
    check(
        f"{label}: admin-web listens on its container port {port}",
        env.get("CENTRA_WMS__ADMIN_WEB__LISTEN", {}).get("value") == f"0.0.0.0:{port}",
        str(env.get("CENTRA_WMS__ADMIN_WEB__LISTEN")),
    )
    service_ports = {p["name"]: p for p in objects["Service"]["spec"]["ports"]}
    check(
        f"{label}: the admin-web Service serves the page's port",
        service_ports.get("http", {}).get("targetPort") == "http"
        and service_ports["http"]["port"] == port,
        str(service_ports),
    )
    allowed = [p["port"] for rule in objects["NetworkPolicy"]["spec"]["ingress"] for p in rule["ports"]]
    check(f"{label}: the admin-web NetworkPolicy lets the page's port in", port in allowed, str(allowed))
    for name, secret in [
        ("CENTRA_WMS__ADMIN_WEB__PASSWORD_HASH", ("centra-wms-admin-web", "password-hash")),
        ("CENTRA_WMS__ADMIN_WEB__SESSION_KEY", ("centra-wms-admin-web", "session-key")),
    ]:
        ref = env.get(name, {}).get("valueFrom", {}).get("secretKeyRef", {})
        check(
            f"{label}: admin-web reads {name} from Secret {secret[0]}",
            (ref.get("name"), ref.get("key")) == secret,
            str(env.get(name)),
        )


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    if not os.access(binary, os.X_OK):
        sys.exit(f"no centra-wms binary at {binary}: build it first (cargo build -p centra-wms)")

    report = helm_python.lint(str(CHART), strict=True, kube_version=f"v{KUBERNETES}")
    problems = [m for m in report["messages"] if m["severity"] >= 2] + report["errors"]
    check("helm lint --strict", not problems, str(problems))

    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    docs = check_rendering(binary, "default values", None)
    check_wms_kind("default values", docs, "ongoing")
    check_admin_web("default values", docs, enabled=False)
    production = yaml.safe_load((CHART / "examples" / "production.yaml").read_text())
    docs = check_rendering(binary, "examples/production.yaml", production)
    check_wms_kind("examples/production.yaml", docs, "ongoing")
    check_admin_web("examples/production.yaml", docs, enabled=True)
    # The page's secrets reach the binary: a password hash it cannot read fails the check.
    page = next((d for _, d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == ADMIN_WEB), None)
    if page is not None:
        configmaps = {d["metadata"]["name"]: d["data"] for _, d in docs if d["kind"] == "ConfigMap"}
        code, output, _ = config_check(
            binary, page, configmaps, {"CENTRA_WMS__ADMIN_WEB__PASSWORD_HASH": "not-a-hash"}
        )
        check(
            "an admin-web password hash the binary cannot read fails the check",
            code != 0 and "password_hash" in output,
            output,
        )
        # adminWeb.traceUrl reaches [admin_web] trace_url; one without {trace_id} is refused.
        env = {e["name"]: e for e in page["spec"]["template"]["spec"]["containers"][0]["env"]}
        check(
            "admin-web gets adminWeb.traceUrl as CENTRA_WMS__ADMIN_WEB__TRACE_URL",
            env.get("CENTRA_WMS__ADMIN_WEB__TRACE_URL", {}).get("value")
            == production["adminWeb"]["traceUrl"],
            str(env.get("CENTRA_WMS__ADMIN_WEB__TRACE_URL")),
        )
        broken = render(
            {**production, "adminWeb": {**production["adminWeb"], "traceUrl": "https://jaeger.brand.example/trace/"}}
        )
        broken_page = next(
            d for _, d in broken if d["kind"] == "Deployment" and d["metadata"]["name"] == ADMIN_WEB
        )
        code, output, _ = config_check(binary, broken_page, configmaps)
        check(
            "an admin-web traceUrl without {trace_id} fails the check",
            code != 0 and "trace_url" in output,
            output,
        )
    untraced = render({"adminWeb": {"enabled": True}})
    page = next(d for _, d in untraced if d["kind"] == "Deployment" and d["metadata"]["name"] == ADMIN_WEB)
    names = [e["name"] for e in page["spec"]["template"]["spec"]["containers"][0]["env"]]
    check(
        "admin-web without adminWeb.traceUrl gets no CENTRA_WMS__ADMIN_WEB__TRACE_URL",
        "CENTRA_WMS__ADMIN_WEB__TRACE_URL" not in names,
        str(names),
    )
    try:
        render({"adminWeb": {"enabled": True, "replicas": 2}})
        check("the chart refuses two admin-web replicas without a session key", False, "rendered")
    except helm_python.HelmError as error:
        check(
            "the chart refuses two admin-web replicas without a session key",
            "adminWeb.sessionKey" in str(error),
            str(error),
        )
    ogoship = yaml.safe_load((CHART / "examples" / "ogoship.yaml").read_text())
    docs = check_rendering(binary, "examples/ogoship.yaml", ogoship)
    check_wms_kind("examples/ogoship.yaml", docs, "ogoship")

    # The OGOship secrets are read: without the merchant secret the gateway's config is refused.
    unsecret = dict(ogoship)
    unsecret["secretEnv"] = [
        s for s in ogoship["secretEnv"] if s["name"] != "CENTRA_WMS__WMS__MERCHANT_SECRET"
    ]
    docs = render(unsecret)
    deployment = next(d for _, d in docs if d["kind"] == "Deployment")
    configmaps = {d["metadata"]["name"]: d["data"] for _, d in docs if d["kind"] == "ConfigMap"}
    code, output, _ = config_check(binary, deployment, configmaps)
    check(
        "an OGOship config without CENTRA_WMS__WMS__MERCHANT_SECRET fails the check",
        code != 0 and "merchant_secret" in output,
        output,
    )

    # wms.kind and the config's [wms] kind never disagree: the chart refuses either mismatch.
    for label, values in [
        ("wms.kind ogoship with an Ongoing config", {"wms": {"kind": "ogoship"}}),
        ("wms.kind ongoing with an OGOship config", {**ogoship, "wms": {"kind": "ongoing"}}),
        (
            "wms.kind ongoing with kind = \"ogoship\" in config",
            {"config": defaults["config"].replace('kind = "ongoing"', 'kind = "ogoship"', 1)},
        ),
    ]:
        try:
            render(values)
            check(f"the chart refuses {label}", False, "rendered")
        except helm_python.HelmError as error:
            check(f"the chart refuses {label}", KIND_MISMATCH in str(error), str(error))
    try:
        render({"secretEnv": [{"name": "CENTRA_WMS__WMS__KIND", "secretName": "s", "key": "k"}]})
        check("the chart refuses the WMS kind in secretEnv", False, "rendered")
    except helm_python.HelmError as error:
        check("the chart refuses the WMS kind in secretEnv", "CENTRA_WMS__WMS__KIND" in str(error), str(error))

    # The config check bites: a setting the binary refuses fails the chart.
    broken = dict(defaults)
    broken["config"] = defaults["config"].replace("[settings]", '[settings]\ncapture = "sometimes"', 1)
    docs = render(broken)
    deployment = next(d for _, d in docs if d["kind"] == "Deployment")
    configmaps = {d["metadata"]["name"]: d["data"] for _, d in docs if d["kind"] == "ConfigMap"}
    code, output, _ = config_check(binary, deployment, configmaps)
    check("a config the binary refuses fails the check", code != 0 and "capture" in output, output)

    # [runtime.redelivery] from values reaches every service's config, and the binary judges it.
    for label, redelivery, ok in [
        ("redelivery values", {"maxDeliveries": 7, "firstDelay": "2s", "maxDelay": "30s"}, True),
        ("a redelivery maxDelay shorter than firstDelay", {"firstDelay": "2m", "maxDelay": "1m"}, False),
    ]:
        docs = render({"redelivery": redelivery})
        deployment = next(d for _, d in docs if d["kind"] == "Deployment")
        configmaps = {d["metadata"]["name"]: d["data"] for _, d in docs if d["kind"] == "ConfigMap"}
        rendered = "\n".join(v for data in configmaps.values() for v in data.values())
        code, output, _ = config_check(binary, deployment, configmaps)
        if ok:
            check(
                f"{label} are rendered into [runtime.redelivery] and pass the check",
                code == 0 and "max_deliveries = 7" in rendered and 'first_delay = "2s"' in rendered,
                output,
            )
        else:
            check(f"{label} fails the check", code != 0 and "max_delay" in output, output)

    # The schema refuses unknown keys and wrong types.
    for label, values in [
        ("unknown top-level key", {"replicaCount": 2}),
        ("unknown service key", {"services": {"order-sync": {"replica": 2}}}),
        ("wrong type", {"healthPort": "ninety"}),
        ("literal secret value", {"secretEnv": [{"name": "CENTRA_WMS__WMS__PASSWORD", "value": "x"}]}),
        ("a [runtime] table in config", {"config": "[runtime]\nmode = \"embedded\"\n"}),
        ("an unknown WMS kind", {"wms": {"kind": "shipbob"}}),
        ("an unknown ogoship-gateway key", {"services": {"ogoship-gateway": {"port": 1}}}),
        ("an unknown redelivery key", {"redelivery": {"maxAttempts": 3}}),
        ("an unknown adminWeb key", {"adminWeb": {"password": "x"}}),
        (
            "an adminWeb secret without its key",
            {"adminWeb": {"passwordHash": {"secretName": "centra-wms-admin-web", "key": ""}}},
        ),
    ]:
        try:
            render(values)
            check(f"schema refuses {label}", False, "rendered")
        except helm_python.HelmError:
            check(f"schema refuses {label}", True)

    passed, failed = results.count(True), results.count(False)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
