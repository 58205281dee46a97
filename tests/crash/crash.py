#!/usr/bin/env python3
"""Crash-consistency test: every acknowledged write survives kill -9.

Each cycle starts sanqu on the same database, runs 64 concurrent writers that create organisations
and log every acknowledged (201) answer, kills the server with SIGKILL at a random moment, and on
the next start checks that:
  - every acknowledged write is present with exactly the content that was acknowledged;
  - nothing unacknowledged is half-present: every organisation the test created has its audit row
    (written in the same transaction) and a consistent tree path;
  - PRAGMA integrity_check answers ok.
Usage: crash.py BINARY [--cycles N] [--writers N] [--seed S]. Loopback only, bounded in time.
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

PW = 'Crash#2026pw'


def start(binary, db, tmp):
    pf = os.path.join(tmp, 'port')
    if os.path.exists(pf):
        os.unlink(pf)
    env = dict(os.environ, SANQU_PWHASH_MIN='1')
    p = subprocess.Popen([binary, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--port-file', pf, '--quiet',
                          '--threads', '4'], stderr=open(os.path.join(tmp, 'server.log'), 'a'), env=env)
    end = time.time() + 15
    while time.time() < end:
        if os.path.exists(pf) and open(pf).read().strip():
            return p, int(open(pf).read())
        if p.poll() is not None:
            sys.exit(f'crash: server exited with {p.returncode} at start; see {tmp}/server.log')
        time.sleep(0.02)
    sys.exit('crash: server did not start')


def request(port, method, path, body=None, headers=None, timeout=10):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h['Content-Type'] = 'application/json'
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def login(port):
    st, h, b = request(port, 'POST', '/api/v1/session', {'username': 'admin', 'password': PW})
    assert st == 200, (st, b)
    return h['Set-Cookie'].split(';')[0], json.loads(b)['csrf_token']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('binary')
    ap.add_argument('--cycles', type=int, default=3)
    ap.add_argument('--writers', type=int, default=64)
    ap.add_argument('--seed', type=int, default=int(time.time()))
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    binary = os.path.abspath(a.binary)
    tmp = tempfile.mkdtemp(prefix='sanqu-crash-')
    db = os.path.join(tmp, 'c.db')
    subprocess.run([binary, 'demo', '--db', db, '--password-stdin'], input=PW + '\n', text=True, check=True,
                   capture_output=True, env=dict(os.environ, SANQU_PWHASH_MIN='1'))
    acked = {}  # id -> body acknowledged
    lock = threading.Lock()
    total_acked = 0
    print(f'crash: seed {a.seed}, {a.cycles} cycles, {a.writers} writers, database {db}')
    for cycle in range(a.cycles):
        srv, port = start(binary, db, tmp)
        # Check everything acknowledged so far is present and exact.
        cookie, csrf = login(port)
        for oid, body in acked.items():
            st, _, b = request(port, 'GET', f'/api/v1/orgs/{oid}', headers={'Cookie': cookie})
            if st != 200:
                sys.exit(f'crash: cycle {cycle}: acknowledged org {oid} is missing ({st})')
            got = json.loads(b)
            for k in ('kind', 'name', 'parent_id', 'address', 'note'):
                if got.get(k) != body.get(k):
                    sys.exit(f'crash: cycle {cycle}: org {oid} field {k}: acknowledged {body.get(k)!r}, found {got.get(k)!r}')
        stop = threading.Event()

        def writer(w):
            n = 0
            while not stop.is_set():
                n += 1
                body = {'kind': 'new_org', 'name': f'崩溃测试{cycle}-{w}-{n}', 'parent_id': 2,
                        'address': f'地址 {rnd.random():.6f}', 'note': 'x' * (n % 50)}
                try:
                    st, _, b = request(port, 'POST', '/api/v1/orgs', body,
                                       {'Cookie': cookie, 'X-CSRF-Token': csrf}, timeout=5)
                except Exception:
                    return  # the server died mid-request: not acknowledged
                if st == 201:
                    # What was acknowledged is the record as answered (an empty note is stored
                    # as none), not the request.
                    rec = json.loads(b)
                    with lock:
                        acked[rec['id']] = rec
                elif st not in (503,):
                    print(f'crash: unexpected answer {st}: {b[:200]!r}')
                    return

        threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(a.writers)]
        for t in threads:
            t.start()
        time.sleep(rnd.uniform(0.3, 1.5))
        srv.send_signal(signal.SIGKILL)
        srv.wait()
        stop.set()
        for t in threads:
            t.join(timeout=10)
        print(f'crash: cycle {cycle + 1}: killed; {len(acked) - total_acked} writes acknowledged this cycle')
        total_acked = len(acked)

    # Final start and full check, then the database itself.
    srv, port = start(binary, db, tmp)
    cookie, csrf = login(port)
    for oid, body in acked.items():
        st, _, b = request(port, 'GET', f'/api/v1/orgs/{oid}', headers={'Cookie': cookie})
        if st != 200 or json.loads(b)['name'] != body['name']:
            sys.exit(f'crash: final: acknowledged org {oid} is missing or altered')
    srv.send_signal(signal.SIGTERM)
    if srv.wait(timeout=30) != 0:
        sys.exit('crash: graceful stop did not exit 0')
    con = sqlite3.connect(db)
    ok = con.execute('PRAGMA integrity_check').fetchone()[0]
    if ok != 'ok':
        sys.exit(f'crash: integrity_check: {ok}')
    fk = con.execute('PRAGMA foreign_key_check').fetchall()
    if fk:
        sys.exit(f'crash: foreign_key_check: {fk[:5]}')
    test_orgs = con.execute("SELECT id, path FROM orgs WHERE name LIKE '崩溃测试%'").fetchall()
    audited = {r[0] for r in con.execute("SELECT object_id FROM audit_log WHERE action = 'create' AND object_type = 'org'")}
    for oid, path in test_orgs:
        if oid not in audited:
            sys.exit(f'crash: org {oid} exists without its audit row (half-present write)')
        if path != f'/1/2/{oid}/':
            sys.exit(f'crash: org {oid} has an inconsistent path {path}')
    missing = set(acked) - {r[0] for r in test_orgs}
    if missing:
        sys.exit(f'crash: acknowledged writes missing in the file: {sorted(missing)[:5]}')
    con.close()
    shutil.rmtree(tmp, ignore_errors=True)
    print(f'crash: {a.cycles} cycles, {len(acked)} acknowledged writes all present and exact, '
          f'{len(test_orgs) - len(acked)} unacknowledged writes committed whole, integrity ok')
    print(f'{a.cycles} passed, 0 failed')


if __name__ == '__main__':
    main()
