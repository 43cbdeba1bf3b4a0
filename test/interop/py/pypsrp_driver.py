"""Drives pypsrp (https://github.com/jborean93/pypsrp, MIT) against the emulator for local interop checks.

pypsrp is not packaged for Debian; point PYPSRP_SRC at a source tree (the folder holding pypsrp/)
fetched for local verification. Nothing of pypsrp is part of this repository.

Usage: pypsrp_driver.py '<json spec>'; prints one JSON object on stdout.
spec: {server, port, username, password, configuration_name?, steps: [...]}
Steps ("op"): execute_ps | invoke | stop | runspaces | metadata | reset | is_alive | keys
"""
import json
import os
import sys
import tempfile
import time
import types

sys.path.insert(0, os.environ["PYPSRP_SRC"])
try:
    import spnego  # noqa: F401
except ImportError:
    # pypsrp imports spnego for NTLM/Kerberos only; Basic over HTTPS never calls it.
    stub = types.ModuleType("spnego")
    stub.channel_bindings = types.ModuleType("spnego.channel_bindings")
    sys.modules["spnego"] = stub
    sys.modules["spnego.channel_bindings"] = stub.channel_bindings

from pypsrp.client import Client  # noqa: E402
from pypsrp.exceptions import WSManFaultError  # noqa: E402
from pypsrp.powershell import PowerShell, RunspacePool  # noqa: E402
from pypsrp.wsman import WSMan  # noqa: E402


def text(o):
    if isinstance(o, (str, int, float, bool)) or o is None:
        return o
    return str(o)


def wsman(spec):
    return WSMan(spec["server"], port=spec["port"], username=spec["username"], password=spec["password"],
                 ssl=True, auth="basic", cert_validation=False, operation_timeout=spec.get("operation_timeout", 20))


def run_step(spec, step):
    op = step["op"]
    if op == "execute_ps":
        with Client(spec["server"], port=spec["port"], username=spec["username"], password=spec["password"],
                    ssl=True, auth="basic", cert_validation=False) as c:
            out, streams, had_errors = c.execute_ps(step["script"])
            return {"output": out, "had_errors": had_errors, "errors": [str(e) for e in streams.error]}
    if op in ("copy", "fetch"):
        with Client(spec["server"], port=spec["port"], username=spec["username"], password=spec["password"],
                    ssl=True, auth="basic", cert_validation=False) as c:
            if op == "copy":
                with tempfile.NamedTemporaryFile(delete=False) as f:
                    f.write((step["data"] * step.get("repeat", 1)).encode("utf-8"))
                try:
                    return {"path": c.copy(f.name, step["dest"], expand_variables=step.get("expand", False))}
                finally:
                    os.remove(f.name)
            dest = tempfile.mktemp()
            try:
                c.fetch(step["src"], dest)
                with open(dest, "rb") as f:
                    return {"data": f.read().decode("utf-8")}
            finally:
                if os.path.exists(dest):
                    os.remove(dest)
    conn = wsman(spec)
    if op == "disconnected":
        # Disconnect while a pipeline runs, find the pool from a new client, connect to it and to
        # the command, as test_psrp_disconnected_commands.yml records it.
        pool = RunspacePool(conn)
        pool.open()
        ps = PowerShell(pool)
        ps.add_script(step["script"])
        ps.begin_invoke()
        pool.disconnect()
        other = wsman(spec)
        pools = [p for p in RunspacePool.get_runspace_pools(other) if p.id == pool.id]
        found = pools[0]
        found.connect()
        shells = found.create_disconnected_power_shells()
        out = [text(o) for o in shells[0].connect()] if shells else None
        found.close()
        return {"pools": len(pools), "commands": len(shells), "output": out}
    with RunspacePool(conn, configuration_name=spec.get("configuration_name", "Microsoft.PowerShell")) as pool:
        if op == "invoke":
            ps = PowerShell(pool)
            for cmd in step["commands"]:
                if cmd.get("statement"):
                    ps.add_statement()
                if cmd.get("script"):
                    ps.add_script(cmd["script"])
                else:
                    ps.add_cmdlet(cmd["cmdlet"])
                    for k, v in cmd.get("parameters", {}).items():
                        ps.add_parameter(k, v)
                    for a in cmd.get("arguments", []):
                        ps.add_argument(a)
            out = ps.invoke(input=step.get("input"))
            return {"output": [text(o) for o in out], "had_errors": ps.had_errors, "state": int(ps.state),
                    "errors": [str(e) for e in ps.streams.error], "warnings": [str(w) for w in ps.streams.warning],
                    "verbose": [str(v) for v in ps.streams.verbose], "information": [text(i.message_data) for i in ps.streams.information]}
        if op == "stop":
            ps = PowerShell(pool)
            ps.add_cmdlet("Start-Sleep").add_parameter("Seconds", 600)
            ps.begin_invoke()
            time.sleep(0.5)
            ps.stop()
            return {"state": int(ps.state)}
        if op == "runspaces":
            before = pool.get_available_runspaces()
            pool.max_runspaces = 5
            after = pool.get_available_runspaces()
            refused = None
            try:
                pool.min_runspaces = -1
            except Exception as e:  # pypsrp raises when the server answers false
                refused = type(e).__name__
            return {"before": before, "after": after, "refused": refused}
        if op == "metadata":
            return {"names": [m.name for m in pool.get_command_metadata(step.get("names", ["*"]))]}
        if op == "reset":
            pool.reset_runspace_state()
            return {"reset": True}
        if op == "keys":
            pool.exchange_keys()
            return {"session_key": pool._serializer.cipher is not None}
        if op == "is_alive":
            return {"alive": pool.is_alive(), "state": int(pool.state)}
    raise ValueError(op)


def main():
    spec = json.loads(sys.argv[1])
    results = []
    try:
        for step in spec["steps"]:
            results.append(run_step(spec, step))
        print(json.dumps({"ok": True, "results": results}))
    except WSManFaultError as e:
        print(json.dumps({"ok": False, "error": type(e).__name__, "code": e.code, "message": str(e), "results": results}))
    except Exception as e:
        print(json.dumps({"ok": False, "error": type(e).__name__, "message": str(e), "results": results}))


main()
