#!/usr/bin/env python3
"""export_browser.py — opens protosim's exported HTML page in real headless
Chromium through chromedriver (WebDriver: plain HTTP and JSON, driven with
urllib), and checks what a student sees: the lesson's arrows and labels are
in the page, the arrow keys step through the events and change what is
shown (the counter, the arrows displayed, the narration, the inspector),
nothing is fetched from anywhere, and a screenshot is a real PNG.

    python3 tests/export_browser.py PROTOSIM LESSON OUTDIR [fold]

With `fold` the page is exported with --fold (a SYN flood's crowd folded
into rows), and the checks are that the arrow keys step by rows.

Exit 0 when every check holds, 1 when one fails, 77 (skip) when chromium
or chromedriver is not installed.  Every wait is bounded."""
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request

KEY_LEFT, KEY_RIGHT, KEY_HOME, KEY_END = "\ue012", "\ue014", "\ue011", "\ue010"
fails = 0
checks = 0


def check(what, cond, detail=""):
    global fails, checks
    checks += 1
    if not cond:
        fails += 1
        print("FAIL: browser: %s%s" % (what, (": " + str(detail)) if detail else ""))


def find_exe(names):
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    for p in ("/usr/lib/chromium/chromedriver", "/usr/lib/chromium/chromium"):
        if os.path.basename(p) in names and os.access(p, os.X_OK):
            return p
    return None


class Driver:
    def __init__(self, port):
        self.base = "http://127.0.0.1:%d" % port
        self.sid = None

    def call(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read().decode() or "{}").get("value")
        except urllib.error.HTTPError as e:
            raise RuntimeError("%s %s: %s" % (method, path, e.read().decode()[:400]))

    def s(self, method, path, body=None):
        return self.call(method, "/session/%s%s" % (self.sid, path), body)

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def key(self, k, times=1):
        acts = []
        for _ in range(times):
            acts += [{"type": "keyDown", "value": k}, {"type": "keyUp", "value": k}]
        self.s("POST", "/actions", {"actions": [{"type": "key", "id": "kb", "actions": acts}]})


def label_fits(label, summary):
    """An arrow's label is the view's short form of the frame's summary:
    the same first word, and no word the summary lacks."""
    words = label.replace(" (copy)", "").split()
    sw = set(summary.split())
    return bool(words) and words[0] == summary.split()[0] and all(w in sw for w in words)


def fold_checks(d):
    """A folded page: a row per run of the crowd, and the keys step by rows."""
    def state():
        return d.js("""return {cur: document.body.getAttribute('data-cur'),
            clip: document.getElementById('ps-clip').getAttribute('height'),
            ins: document.getElementById('ps-inspector').textContent};""")
    info = d.js("""return {rl: PS.rl ? PS.rl.length : 0, n: PS.ev.length, rowH: PS.rowH,
        folds: document.querySelectorAll('#ps-svg g.fold').length,
        third: PS.rl ? PS.first + PS.rl[2] + 1 : 0};""")
    check("the page has rows", info["rl"] > 0 and info["rl"] < info["n"], info)
    check("folded rows are drawn", 0 < info["folds"] < info["rl"], info)
    s0 = state()
    check("opens at event #1", s0["cur"] == "1", s0["cur"])
    d.key(KEY_RIGHT, 2)
    s1 = state()
    check("two steps reach the third row's last event", s1["cur"] == str(info["third"]),
          (s1["cur"], info["third"]))
    check("three rows are drawn", abs(float(s1["clip"]) - 3 * info["rowH"]) < 0.06,
          (s1["clip"], info["rowH"]))
    check("its inspector says what the folded row holds",
          "Folded row" in s1["ins"] and "events of the crowd" in s1["ins"], s1["ins"][:120])
    d.key(KEY_LEFT)
    check("left arrow goes back a row", state()["cur"] == "2", state()["cur"])
    d.key(KEY_END)
    check("End shows the whole run", state()["cur"] == str(info["n"]), state()["cur"])
    d.key(KEY_HOME)
    check("Home goes back to event #1", state()["cur"] == "1")


def main():
    if len(sys.argv) not in (4, 5) or (len(sys.argv) == 5 and sys.argv[4] != "fold"):
        print(__doc__)
        return 2
    protosim, lesson, outdir = sys.argv[1:4]
    fold = len(sys.argv) == 5
    chrome = find_exe(["chromium", "chromium-browser", "google-chrome"])
    driver = find_exe(["chromedriver"])
    if not chrome or not driver:
        print("SKIP: browser test: chromium or chromedriver is not installed "
              "(apt-get install chromium chromium-driver)")
        return 77
    page = os.path.join(os.path.abspath(outdir), lesson + (".fold" if fold else "") + ".html")
    subprocess.run([protosim, "--export", "html"] + (["--fold"] if fold else []) +
                   ["-o", page, lesson], check=True, timeout=60)
    sends = [json.loads(l) for l in subprocess.run(
        [protosim, "--json", lesson], capture_output=True, text=True, timeout=60,
        check=True).stdout.splitlines()]
    sends = [r for r in sends if "id" in r]     # records, not chapter lines
    nrec = len(sends)
    sends = [r for r in sends if r["kind"] == "send"]
    first_send = min(r["id"] for r in sends) if sends else None
    title = subprocess.run([protosim, "--list"], capture_output=True, text=True,
                           timeout=60).stdout

    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        port = so.getsockname()[1]
    log = open(os.path.join(outdir, "chromedriver.log"), "w")
    proc = subprocess.Popen([driver, "--port=%d" % port], stdout=log, stderr=log)
    d = Driver(port)
    try:
        deadline = time.time() + 20
        while True:
            try:
                if d.call("GET", "/status", timeout=2).get("ready"):
                    break
            except (OSError, RuntimeError):
                pass
            if time.time() > deadline:
                check("chromedriver answers within 20 s", False)
                return 1
            time.sleep(0.2)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chrome, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                "--user-data-dir=" + os.path.join(os.path.abspath(outdir), "profile")]}}}}
        v = d.call("POST", "/session", caps, timeout=60)
        d.sid = v["sessionId"]
        d.s("POST", "/timeouts", {"script": 10000, "pageLoad": 20000, "implicit": 0})
        d.s("POST", "/url", {"url": "file://" + page})

        # the page is the lesson's, whole, and fetched nothing
        doc_title = d.js("return document.title;")
        check("page title is a lesson title from --list", doc_title and doc_title in title,
              doc_title)
        res = d.js("return performance.getEntriesByType('resource').map(function(e){return e.name;});")
        check("nothing fetched (offline page)", res == [], res)
        ext = d.js("return Array.prototype.filter.call(document.querySelectorAll('[src],[href],link'),"
                   "function(e){return true;}).length;")
        check("no src/href/link elements", ext == 0, ext)

        if fold:
            fold_checks(d)
            d.s("DELETE", "")
            d.sid = None
            print("browser %s --fold: %d checks, %d failed" % (lesson, checks, fails))
            return 1 if fails else 0

        # the lesson's arrows and labels are in the DOM
        nmsg = d.js("return document.querySelectorAll('#ps-svg g.msg').length;")
        check("one arrow group per send", nmsg == len(sends), "%s != %s" % (nmsg, len(sends)))
        texts = d.js("return Array.prototype.map.call(document.querySelectorAll('#ps-svg text.lbl'),"
                     "function(e){return e.textContent;});")
        check("a label per send", len(texts) == len(sends), (len(texts), len(sends)))
        for t, r in zip(texts, sends):
            if not label_fits(t, r["summary"]):
                check("label %r is the send's (%r)" % (t, r["summary"]), False)
                break
        nhost = d.js("return document.querySelectorAll('#ps-svg g.host').length;")
        check("a lifeline header per host", nhost is not None and nhost >= 1, nhost)

        def state():
            return d.js("""return {pos: document.getElementById('ps-pos').textContent,
                cur: document.body.getAttribute('data-cur'),
                shown: document.querySelectorAll('#ps-svg g.msg:not(.hidden)').length,
                rows: document.querySelectorAll('#ps-svg g.row:not(.hidden)').length,
                clip: document.getElementById('ps-clip').getAttribute('height'),
                ev: document.getElementById('ps-event').textContent,
                nar: document.getElementById('ps-narration').textContent,
                ins: document.getElementById('ps-inspector').textContent};""")

        s0 = state()
        check("opens at event #1", s0["cur"] == "1" and s0["pos"].startswith("#1/%d" % nrec), s0["pos"])
        check("at event #1 one row is shown", s0["rows"] == 1, s0["rows"])
        check("the inspector shows event #1", s0["ins"].startswith("#1/%d" % nrec), s0["ins"][:40])
        # step to the first send with the right arrow key
        steps = first_send if first_send is not None else 1
        d.key(KEY_RIGHT, steps)
        s1 = state()
        check("right arrow steps forward", s1["cur"] == str(steps + 1), s1["cur"])
        check("stepping shows more rows", s1["rows"] == steps + 1, s1["rows"])
        check("stepping grows the drawn part", float(s1["clip"]) > float(s0["clip"]),
              (s0["clip"], s1["clip"]))
        if first_send is not None:
            check("the first send's arrow appears when reached", s1["shown"] == 1, s1["shown"])
            check("the inspector decodes the frame layer by layer",
                  "Ethernet" in s1["ins"] and ("IPv4" in s1["ins"] or "ARP" in s1["ins"]),
                  s1["ins"][:200])
        check("the narration changes", (s1["ev"], s1["nar"]) != (s0["ev"], s0["nar"]))
        d.key(KEY_LEFT)
        s2 = state()
        check("left arrow steps back", s2["cur"] == str(steps), s2["cur"])
        if first_send is not None:
            check("stepping back hides the arrow again", s2["shown"] == 0, s2["shown"])
        d.key(KEY_END)
        s3 = state()
        check("End shows the whole run", s3["cur"] == str(nrec) and s3["shown"] == len(sends),
              (s3["cur"], s3["shown"]))
        d.key(KEY_HOME)
        check("Home goes back to event #1", state()["cur"] == "1")
        d.key(KEY_END)

        png = base64.b64decode(d.s("GET", "/screenshot"))
        path = os.path.join(outdir, lesson + ".png")
        with open(path, "wb") as f:
            f.write(png)
        ok = png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
        w, h = struct.unpack(">II", png[16:24]) if ok else (0, 0)
        check("screenshot is a non-empty PNG", ok and w > 0 and h > 0, (len(png), w, h))
        d.s("DELETE", "")
        d.sid = None
    except (RuntimeError, OSError, KeyError, TypeError) as e:
        check("WebDriver session", False, e)
    finally:
        if d.sid:
            try:
                d.s("DELETE", "")
            except Exception:
                pass
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    print("browser %s: %d checks, %d failed" % (lesson, checks, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
