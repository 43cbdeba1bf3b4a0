"""Drives pypsrp (https://github.com/jborean93/pypsrp, MIT) against the emulator for local interop checks.

pypsrp is not packaged for Debian; point PYPSRP_SRC at a source tree (the folder holding pypsrp/)
fetched for local verification. Nothing of pypsrp is part of this repository.

Usage: pypsrp_driver.py '<json spec>'; prints one JSON object on stdout.
spec: {server, port, username, password, configuration_name?, steps: [...]}
Steps ("op"): execute_ps | invoke | stop | runspaces | metadata | reset | is_alive | keys | host
host: {commands | script, host?: bool (default true), raw_ui?: bool, out_default?: bool,
       read_lines?: [str|null], prompt_answers?: {field: str}, choice?: int,
       credential?: [user, password], keys?: bool, stop_pending?: bool,
       after?: str} runs one pipeline with a recording pypsrp.host.PSHost (or none) and reports
       the host calls it got and a trace of the PSRP messages and CommandStates of the exchange.
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

from pypsrp import shell as _shell  # noqa: E402
from pypsrp.client import Client  # noqa: E402
from pypsrp.complex_objects import Color, Coordinates, ObjectMeta, PSCredential, Size  # noqa: E402
from pypsrp.exceptions import WSManFaultError  # noqa: E402
from pypsrp.host import PSHost, PSHostRawUserInterface, PSHostUserInterface  # noqa: E402
from pypsrp.messages import MessageType  # noqa: E402
from pypsrp.powershell import Fragmenter, PowerShell, RunspacePool  # noqa: E402
from pypsrp.wsman import WSMan  # noqa: E402


def text(o):
    if isinstance(o, (str, int, float, bool)) or o is None:
        return o
    return str(o)


def plain(o):
    """A JSON view of a deserialised CLIXML value (host call arguments)."""
    if isinstance(o, (str, int, float, bool)) or o is None:
        return o
    if isinstance(o, (list, tuple)):
        return [plain(i) for i in o]
    if isinstance(o, dict):
        return {str(k): plain(v) for k, v in o.items()}
    props = getattr(o, "extended_properties", None)
    if isinstance(props, dict) and props:
        return {k: plain(v) for k, v in props.items()}
    if hasattr(o, "value") and hasattr(o, "_string_map"):
        return o.value
    return str(o)


MESSAGE_NAMES = {v: k for k, v in vars(MessageType).items() if k.isupper()}
TRACE = []
_TRACING = []


def install_trace():
    """Record, in order, the PSRP messages pypsrp received, the CommandState of each pipeline
    Receive and the streams it sent (`pr` = a host response), without changing what it does."""
    if _TRACING:
        return
    _TRACING.append(True)
    orig_defragment = Fragmenter.defragment
    orig_receive = _shell.WinRS.receive
    orig_send = _shell.WinRS.send

    def defragment(self, data):
        # The messages of one Receive in wire order, before pypsrp acts on them (a host
        # response it sends shows up as `Send pr` after the Receive's messages).
        messages = orig_defragment(self, data)
        for m in messages:
            name = MESSAGE_NAMES.get(m.message_type, hex(m.message_type))
            if m.message_type in (MessageType.PIPELINE_HOST_CALL, MessageType.RUNSPACEPOOL_HOST_CALL):
                TRACE.append("%s %s %s" % (name, m.data.ci, str(m.data.mi)))
            elif m.message_type == MessageType.PIPELINE_STATE:
                TRACE.append("%s %s" % (name, m.data.state))
            else:
                TRACE.append(name)
        return messages

    def receive(self, stream="stdout", command_id=None, timeout=None):
        r = orig_receive(self, stream, command_id=command_id, timeout=timeout)
        if command_id is not None:
            TRACE.append("Receive %s" % str(r[0]).rsplit("/", 1)[-1])
        return r

    def send(self, stream, data, end=None, command_id=None):
        if stream != "stdin" or command_id is None:
            TRACE.append("Send %s%s" % (stream, "" if command_id is None else " (CommandId)"))
        return orig_send(self, stream, data, end=end, command_id=command_id)

    Fragmenter.defragment = defragment
    _shell.WinRS.receive = receive
    _shell.WinRS.send = send


class RecordingUI(PSHostUserInterface):
    """pypsrp's PSHostUserInterface (its Write* methods append to .stdout, WriteErrorLine to
    .stderr) answering the value methods from the step: ReadLine and ReadLineAsSecureString from
    read_lines (null: no answer), Prompt from prompt_answers."""

    def __init__(self, raw_ui, read_lines, prompt_answers, choice=0, credential=None):
        super(RecordingUI, self).__init__(raw_ui)
        self.read_lines = list(read_lines)
        self.prompt_answers = prompt_answers
        self.choice = choice
        self.credential = credential

    def PromptForChoice(self, runspace, pipeline, caption, message, choices, default_choice):
        return self.choice

    def PromptForCredential1(self, runspace, pipeline, caption, message, user_name, target_name):
        return PSCredential(username=self.credential[0], password=self.credential[1])

    def PromptForCredential2(self, runspace, pipeline, caption, message, user_name, target_name, types, options):
        # pypsrp serialises the password as <SS>: needs the session key (step "keys": true).
        return PSCredential(username=self.credential[0], password=self.credential[1])

    def ReadLine(self, runspace, pipeline):
        return self.read_lines.pop(0)

    def ReadLineAsSecureString(self, runspace, pipeline):
        # As pypsrp's tests do; needs the session key (step "keys": true).
        return runspace.serialize(self.read_lines.pop(0), ObjectMeta("SS"))

    def Prompt(self, runspace, pipeline, caption, message, descriptions):
        names = [d.extended_properties.get("name") for d in descriptions]
        return {n: self.prompt_answers.get(n, "") for n in names}


class RecordingHost(PSHost):
    """pypsrp's PSHost, recording every call run_method gets (pypsrp itself only logs and drops
    method ids >= 52: PushRunspace, PopRunspace, …)."""

    def __init__(self, ui):
        super(RecordingHost, self).__init__(None, None, False, "pypsrp-interop", None, ui, "1.0")
        self.calls = []

    def run_method(self, method_identifier, args, runspace, pipeline=None):
        self.calls.append({"mi": method_identifier.value, "method": str(method_identifier), "args": plain(args),
                           "target": "pipeline" if pipeline is not None else "pool"})
        return super(RecordingHost, self).run_method(method_identifier, args, runspace, pipeline)


def make_host(step):
    if not step.get("host", True):
        return None
    raw = None
    if step.get("raw_ui"):
        raw = PSHostRawUserInterface("pypsrp", 25, Color(value=Color.GRAY), Color(value=Color.BLACK),
                                     Coordinates(x=0, y=0), Coordinates(x=0, y=0), Size(width=80, height=9999),
                                     Size(width=80, height=50), Size(width=80, height=50), Size(width=80, height=50))
    ui = RecordingUI(raw, step.get("read_lines", []), step.get("prompt_answers", {}), step.get("choice", 0), step.get("credential"))
    return RecordingHost(ui)


def add_commands(ps, commands):
    """commands: [{cmdlet, parameters?, arguments?} | {script}, with statement? (add_statement
    first), merge_error_to_output? (MergeMyResult Error -> Output), merge_previous? (Output|Error)}]"""
    for cmd in commands:
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
        if cmd.get("merge_error_to_output"):
            ps.merge_error("output")
        if cmd.get("merge_previous"):
            ps.merge_previous(True)


def run_host_step(spec, step):
    install_trace()
    host = make_host(step)
    conn = wsman(spec)
    with RunspacePool(conn, configuration_name=spec.get("configuration_name", "Microsoft.PowerShell"), host=host) as pool:
        if step.get("keys"):
            pool.exchange_keys()
        ps = PowerShell(pool)
        commands = step.get("commands") or [{"script": step["script"]}]
        add_commands(ps, commands)
        if step.get("out_default"):
            # What Enter-PSSession sends for a typed line: Out-Default with MergePreviousResults Output|Error.
            ps.add_cmdlet("Out-Default")
            ps.merge_previous(True)
        del TRACE[:]
        failure = None
        after = None
        if step.get("stop_pending"):
            # The host leaves the value call unanswered (read_lines [null]): poll until the call
            # came, stop the pipeline (Signal ctrl_c), then run `after` on the same pool.
            ps.begin_invoke()
            for _ in range(20):
                ps.poll_invoke(timeout=5)
                if any("HOST_CALL" in t for t in TRACE):
                    break
            ps.stop()
            out = ps.output
            if step.get("after"):
                mark = len(TRACE)
                ps2 = PowerShell(pool)
                ps2.add_script(step["after"])
                after = {"output": [plain(o) for o in ps2.invoke()], "state": int(ps2.state), "trace": TRACE[mark:]}
                del TRACE[mark:]
        else:
            try:
                out = ps.invoke()
            except Exception as e:  # e.g. a host method pypsrp raises in (NotImplementedError)
                out = ps.output
                failure = "%s: %s" % (type(e).__name__, e)
        ui = host.ui if host is not None else None
        return {
            "output": [plain(o) for o in out], "had_errors": ps.had_errors, "state": int(ps.state), "failure": failure,
            "errors": [str(e) for e in ps.streams.error],
            "error_ids": [getattr(e, "fq_error", None) for e in ps.streams.error],
            "warnings": [str(w) for w in ps.streams.warning], "verbose": [str(v) for v in ps.streams.verbose],
            "debug": [str(d) for d in ps.streams.debug],
            "information": [{"message": text(i.message_data), "tags": plain(i.tags), "source": i.source} for i in ps.streams.information],
            "host_calls": host.calls if host is not None else [],
            "ui_stdout": ui.stdout if ui is not None else [],
            "ui_stderr": ui.stderr if ui is not None else [],
            "progress": [plain(p) for p in ps.streams.progress],
            "after": after,
            "trace": list(TRACE),
        }


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
    if op == "host":
        return run_host_step(spec, step)
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
            add_commands(ps, step["commands"])
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
