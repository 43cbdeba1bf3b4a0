"""A WinRM client with real GSSAPI message encryption (Debian python3-gssapi over MIT krb5), for
the Kerberos wrap interop test: pywinrm 0.3.0 with pykerberos cannot encrypt (auth.md §1.4 C), so
this plays what Windows and pypsrp do (auth.md §1.4 F, §3.3).

Usage: gssapi_winrm_client.py '<json spec>'; prints one JSON object on stdout.
spec: {endpoint, host (SPN host), scheme: "Negotiate"|"Kerberos", mech: "krb5"|"spnego",
       command, args?, tamper?: bool}
Flow on ONE keep-alive connection: an empty POST with the GSS token (200 + the AP-REP in
WWW-Authenticate), then Create shell, Command, Receive until Done, Delete, every body sealed with
gss_wrap_iov([HEADER, DATA, PADDING]) and every response unsealed, as MS-WSMV 2.2.9.1 lays out.
"""
import base64
import http.client
import json
import re
import struct
import sys
import uuid
from urllib.parse import urlsplit

import gssapi
from gssapi.raw import IOV, IOVBufferType, wrap_iov

KRB5 = gssapi.OID.from_int_seq("1.2.840.113554.1.2.2")
SPNEGO = gssapi.OID.from_int_seq("1.3.6.1.5.5.2")
SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
BOUNDARY = "Encrypted Boundary"


def envelope(endpoint, action, body="", shell_id=None, options=""):
    sel = '<w:SelectorSet><w:Selector Name="ShellId">%s</w:Selector></w:SelectorSet>' % shell_id if shell_id else ""
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="%s"><s:Header><a:To>%s</a:To>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>'
        '<w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize><a:MessageID>uuid:%s</a:MessageID>'
        '<w:OperationTimeout>PT20S</w:OperationTimeout><w:ResourceURI s:mustUnderstand="true">%s/cmd</w:ResourceURI>'
        '<a:Action s:mustUnderstand="true">%s</a:Action>%s%s</s:Header><s:Body>%s</s:Body></s:Envelope>'
        % (SHELL, endpoint, str(uuid.uuid4()).upper(), SHELL, action, sel, options, body)
    ).encode("utf-8")


class Client:
    def __init__(self, spec):
        self.spec = spec
        u = urlsplit(spec["endpoint"])
        self.path = u.path
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        self.scheme = spec.get("scheme", "Negotiate")
        self.protocol = "application/HTTP-%s-session-encrypted" % ("Kerberos" if self.scheme == "Kerberos" else "SPNEGO")
        name = gssapi.Name("HTTP@" + spec["host"], gssapi.NameType.hostbased_service)
        flags = [gssapi.RequirementFlag.mutual_authentication, gssapi.RequirementFlag.out_of_sequence_detection,
                 gssapi.RequirementFlag.confidentiality, gssapi.RequirementFlag.integrity]
        self.ctx = gssapi.SecurityContext(name=name, usage="initiate", mech=SPNEGO if spec.get("mech") == "spnego" else KRB5, flags=flags)
        self.wire = {"requests": [], "responses": []}

    def authenticate(self):
        token = self.ctx.step()
        self.conn.request("POST", self.path, body=b"", headers={
            "Authorization": "%s %s" % (self.scheme, base64.b64encode(token).decode()),
            "Content-Length": "0", "Connection": "Keep-Alive", "User-Agent": "gssapi-winrm-test"})
        r = self.conn.getresponse()
        r.read()
        if r.status != 200:
            raise RuntimeError("authentication answered %d" % r.status)
        header = r.getheader("WWW-Authenticate") or ""
        m = re.match(r"^%s ([A-Za-z0-9+/=]+)$" % self.scheme, header)
        if not m:
            raise RuntimeError("no mutual-auth token in WWW-Authenticate: %r" % header)
        self.ctx.step(base64.b64decode(m.group(1)))
        if not self.ctx.complete:
            raise RuntimeError("context not complete after the server's token")
        return header

    def seal(self, plaintext):
        iov = IOV(IOVBufferType.header, plaintext, IOVBufferType.padding, std_layout=False)
        wrap_iov(self.ctx, iov, confidential=True)
        header, data, padding = iov[0].value, iov[1].value, iov[2].value or b""
        if self.spec.get("tamper"):
            data = bytes([data[0] ^ 1]) + data[1:]
        return (("--%s\r\n\tContent-Type: %s\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=%d\r\n"
                 "--%s\r\n\tContent-Type: application/octet-stream\r\n") % (BOUNDARY, self.protocol, len(plaintext) + len(padding), BOUNDARY)).encode() \
            + struct.pack("<I", len(header)) + header + data + padding + ("--%s--\r\n" % BOUNDARY).encode(), len(header)

    def unseal(self, body):
        # Split by lengths as MS-WSMV lays it out (header length, header, Length bytes of data).
        m = re.search(rb"Length=(\d+)\r\n", body)
        length = int(m.group(1))
        start = body.index(b"application/octet-stream\r\n") + len(b"application/octet-stream\r\n")
        hlen = struct.unpack("<I", body[start:start + 4])[0]
        header = body[start + 4:start + 4 + hlen]
        data = body[start + 4 + hlen:start + 4 + hlen + length]
        return self.ctx.unwrap(header + data).message, hlen

    def post(self, xml):
        body, hlen = self.seal(xml)
        ctype = 'multipart/encrypted;protocol="%s";boundary="%s"' % (self.protocol, BOUNDARY)
        self.conn.request("POST", self.path, body=body, headers={"Content-Type": ctype, "Content-Length": str(len(body)), "Connection": "Keep-Alive"})
        r = self.conn.getresponse()
        raw = r.read()
        self.wire["requests"].append({"bytes": len(body), "header_length": hlen})
        rtype = r.getheader("Content-Type") or ""
        entry = {"status": r.status, "content_type": rtype, "bytes": len(raw)}
        self.wire["responses"].append(entry)
        if r.status != 200 or "multipart/encrypted" not in rtype:
            raise RuntimeError("HTTP %d %s: %r" % (r.status, rtype, raw[:300]))
        plain, rh = self.unseal(raw)
        entry["header_length"] = rh
        return plain.decode("utf-8")

    def run(self):
        ep = self.spec["endpoint"]
        auth_header = self.authenticate()
        created = self.post(envelope(ep, "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create",
                                     "<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>"))
        shell = re.search(r"<rsp:ShellId>([^<]+)<", created).group(1)
        args = "".join("<rsp:Arguments>%s</rsp:Arguments>" % a for a in self.spec.get("args", []))
        cmd = self.post(envelope(ep, SHELL + "/Command", "<rsp:CommandLine><rsp:Command>%s</rsp:Command>%s</rsp:CommandLine>" % (self.spec["command"], args), shell))
        command_id = re.search(r"<rsp:CommandId>([^<]+)<", cmd).group(1)
        out, code = b"", None
        for _ in range(50):
            rec = self.post(envelope(ep, SHELL + "/Receive", '<rsp:Receive><rsp:DesiredStream CommandId="%s">stdout stderr</rsp:DesiredStream></rsp:Receive>' % command_id, shell))
            for m in re.finditer(r'<rsp:Stream Name="stdout"[^>]*>([^<]+)</rsp:Stream>', rec):
                out += base64.b64decode(m.group(1))
            done = re.search(r"CommandState/Done\"><rsp:ExitCode>(\d+)<", rec)
            if done:
                code = int(done.group(1))
                break
        self.post(envelope(ep, "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete", "", shell))
        return {"ok": True, "auth_header": auth_header.split(" ")[0], "mech": str(self.ctx.mech), "stdout": out.decode("utf-8", "replace"),
                "exit_code": code, "wire": self.wire}


def main():
    spec = json.loads(sys.argv[1])
    c = Client(spec)
    try:
        print(json.dumps(c.run()))
    except Exception as e:  # noqa: BLE001 - the test asserts on the message
        print(json.dumps({"ok": False, "error": type(e).__name__, "message": str(e), "wire": c.wire}))


if __name__ == "__main__":
    main()
