"""Drives the real pywinrm client (Debian python3-winrm under /usr/bin/python3) for interop tests.

Usage: pywinrm_driver.py '<json spec>'; prints one JSON object on stdout.
spec: {endpoint, transport, username, password, steps: [...], message_encryption?, cert_pem?, cert_key_pem?,
       kerberos_hostname_override?, kerberos_delegation?}
Each step is a dict with an "op": run_cmd | run_ps | open_shell | close_shell | command_cycle | stdin_cycle.
Errors are reported as {"ok": false, "error": <exception class>, "message": ..., "fault": {...}}.
"""
import base64
import concurrent.futures
import hashlib
import json
import sys

import winrm
import xmltodict
from winrm.exceptions import WinRMTransportError


def session_protocol(spec):
    kwargs = dict(
        endpoint=spec["endpoint"],
        transport=spec.get("transport", "basic"),
        username=spec.get("username"),
        password=spec.get("password"),
        server_cert_validation="ignore",
    )
    if "message_encryption" in spec:
        kwargs["message_encryption"] = spec["message_encryption"]
    if "cert_pem" in spec:
        kwargs["cert_pem"] = spec["cert_pem"]
        kwargs["cert_key_pem"] = spec["cert_key_pem"]
    if "kerberos_hostname_override" in spec:
        kwargs["kerberos_hostname_override"] = spec["kerberos_hostname_override"]
    if "kerberos_delegation" in spec:
        kwargs["kerberos_delegation"] = spec["kerberos_delegation"]
    if "operation_timeout_sec" in spec:
        kwargs["operation_timeout_sec"] = spec["operation_timeout_sec"]
        kwargs["read_timeout_sec"] = spec.get("read_timeout_sec", spec["operation_timeout_sec"] + 10)
    return winrm.protocol.Protocol(**kwargs)


def send_input(p, shell_id, command_id, data, end):
    """Send stdin as pywinrm 0.4's send_command_input does; Debian's 0.3.0 predates that method,
    so the envelope is built with the same Protocol helpers it uses for every other message."""
    if hasattr(p, "send_command_input"):
        return p.send_command_input(shell_id, command_id, data, end)
    req = {"env:Envelope": p._get_soap_header(
        resource_uri="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd",
        action="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send",
        shell_id=shell_id)}
    stream = req["env:Envelope"].setdefault("env:Body", {}).setdefault("rsp:Send", {}).setdefault("rsp:Stream", {})
    stream["@Name"] = "stdin"
    stream["@CommandId"] = command_id
    stream["#text"] = base64.b64encode(data).decode()
    if end:
        stream["@End"] = "true"
    p.send_message(xmltodict.unparse(req))


def decode(b):
    return b.decode("utf-8", errors="replace") if isinstance(b, bytes) else b


def run_step(p, step, state):
    op = step["op"]
    if op == "open_shell":
        state["shell"] = p.open_shell(codepage=step.get("codepage", 437))
        return {"shell_id": state["shell"]}
    if op == "close_shell":
        p.close_shell(state.pop("shell"))
        return {}
    if op in ("run_cmd", "run_ps"):
        s = winrm.Session(p.transport.endpoint, auth=(p.username, p.password))
        s.protocol = p
        r = s.run_cmd(step["command"], step.get("args", [])) if op == "run_cmd" else s.run_ps(step["script"])
        return {"status_code": r.status_code, "std_out": decode(r.std_out), "std_err": decode(r.std_err),
                "std_out_b64": base64.b64encode(r.std_out).decode()}
    if op == "stdin_cycle":
        shell = p.open_shell()
        cmd = p.run_command(shell, step["command"], step.get("args", []))
        chunks = step["chunks"]
        for i, chunk in enumerate(chunks):
            send_input(p, shell, cmd, chunk.encode('utf-8') if isinstance(chunk, str) else chunk, i == len(chunks) - 1)
        out, err, rc = p.get_command_output(shell, cmd)
        p.cleanup_command(shell, cmd)
        p.close_shell(shell)
        return {"status_code": rc, "std_out": decode(out), "std_err": decode(err)}
    if op == "run_ps_text":
        # run_ps as pywinrm does it, but with stderr decoded before _clean_error_msg: Debian's
        # pywinrm 0.3.0 passes bytes there on Python 3 and raises TypeError (fixed upstream).
        s = winrm.Session(p.transport.endpoint, auth=(p.username, p.password))
        s.protocol = p
        encoded = base64.b64encode(step["script"].encode("utf_16_le")).decode("ascii")
        r = s.run_cmd("powershell -encodedcommand {0}".format(encoded))
        err = decode(r.std_err)
        return {"status_code": r.status_code, "std_out": decode(r.std_out), "raw_std_err": err,
                "std_err": s._clean_error_msg(err) if err else ""}
    if op == "cycle":
        # Open a shell with a code page, run one command, optional stdin in chunks, read all output.
        shell = p.open_shell(codepage=step.get("codepage", 437))
        cmd = p.run_command(shell, step["command"], step.get("args", []))
        chunks = step.get("stdin")
        if chunks:
            for i, chunk in enumerate(chunks):
                send_input(p, shell, cmd, chunk.encode("utf-8"), i == len(chunks) - 1)
        out, err, rc = p.get_command_output(shell, cmd)
        p.cleanup_command(shell, cmd)
        p.close_shell(shell)
        result = {"status_code": rc, "std_err": decode(err), "stdout_len": len(out),
                  "stdout_sha256": hashlib.sha256(out).hexdigest()}
        if len(out) < 100000:
            result["std_out"] = decode(out)
        return result
    if op == "parallel":
        # n independent clients, each with its own Protocol (own connection) and its own shell.
        def one(i):
            q = session_protocol(state["spec"])
            s = winrm.Session(q.transport.endpoint, auth=(q.username, q.password))
            s.protocol = q
            r = s.run_cmd("echo", ["client-%d" % i])
            return {"i": i, "status_code": r.status_code, "std_out": decode(r.std_out)}
        with concurrent.futures.ThreadPoolExecutor(max_workers=step["n"]) as ex:
            return {"clients": list(ex.map(one, range(step["n"])))}
    raise ValueError("unknown op " + op)


def main():
    spec = json.loads(sys.argv[1])
    results = []
    state = {"spec": spec}
    try:
        p = session_protocol(spec)
        for step in spec["steps"]:
            results.append(run_step(p, step, state))
        print(json.dumps({"ok": True, "results": results}))
    except WinRMTransportError as e:
        print(json.dumps({"ok": False, "error": type(e).__name__, "message": str(e), "code": e.code,
                          "response_text": e.response_text, "results": results}))
    except Exception as e:  # noqa: BLE001 - the test asserts on the class name
        fault = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], dict) else None
        print(json.dumps({"ok": False, "error": type(e).__name__, "message": str(e), "fault": fault, "results": results}))


if __name__ == "__main__":
    main()
