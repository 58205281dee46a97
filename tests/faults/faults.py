#!/usr/bin/env python3
"""Resource-fault test: with the disk full or the filesystem read-only, writes answer 503 with
problem+json, reads keep working, nothing is corrupted, and writes resume when space (or write
access) returns.

The database lives on a small tmpfs mounted for the test (needs root, as CI runs; the machine's
other filesystems are never filled). Usage: faults.py BINARY
"""
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

PW = 'Fault#2026pw'
failures = 0


def check(cond, what):
    global failures
    print(('ok     ' if cond else 'FAILED ') + what)
    if not cond:
        failures += 1


def request(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=20)
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


def fill(path):
    """Writes a filler file until the filesystem is full."""
    with open(path, 'wb', buffering=0) as f:
        block = b'\0' * 65536
        try:
            while True:
                f.write(block)

        except OSError:
            pass
        try:
            while True:
                f.write(b'\0' * 512)

        except OSError:
            pass


def main():
    binary = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        sys.exit('faults: needs root to mount a small tmpfs (CI runs as root)')
    tmp = tempfile.mkdtemp(prefix='sanqu-faults-')
    mnt = os.path.join(tmp, 'mnt')
    os.makedirs(mnt)
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt], check=True)
    srv = None
    try:
        db = os.path.join(mnt, 'f.db')
        env = dict(os.environ, SANQU_PWHASH_MIN='1')
        subprocess.run([binary, 'demo', '--db', db, '--password-stdin'], input=PW + '\n', text=True, check=True,
                       capture_output=True, env=env)
        pf = os.path.join(tmp, 'port')
        srv = subprocess.Popen([binary, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--port-file', pf, '--quiet'],
                               env=env, stderr=open(os.path.join(tmp, 'server.log'), 'w'))
        for _ in range(300):
            if os.path.exists(pf) and open(pf).read().strip():
                break
            time.sleep(0.02)
        port = int(open(pf).read())
        st, h, b = request(port, 'POST', '/api/v1/session', {'username': 'admin', 'password': PW})
        check(st == 200, 'login')
        auth = {'Cookie': h['Set-Cookie'].split(';')[0], 'X-CSRF-Token': json.loads(b)['csrf_token']}
        n = [0]

        def create():
            n[0] += 1
            return request(port, 'POST', '/api/v1/orgs',
                           {'kind': 'new_org', 'name': f'故障测试{n[0]}', 'parent_id': 2, 'note': '备注' * 200}, auth)

        st, _, _ = create()
        check(st == 201, 'a write succeeds before the fault')

        # Disk full.
        filler = os.path.join(mnt, 'filler')
        fill(filler)
        statuses = []
        for _ in range(30):
            st, hdr, body = create()
            statuses.append(st)
            if st == 503:
                break
        check(503 in statuses, f'with the disk full a write answers 503 (answers: {sorted(set(statuses))})')
        if 503 in statuses:
            check(hdr.get('Content-Type') == 'application/problem+json', 'the 503 is problem+json')
            p = json.loads(body)
            check(p.get('type', '').endswith('unavailable') and p.get('status') == 503, 'the problem says unavailable')
        check(all(s in (201, 503) for s in statuses), 'no other error than 503 while full')
        st, _, body = request(port, 'GET', '/api/v1/orgs?q=%E6%95%85%E9%9A%9C', headers=auth)
        check(st == 200 and json.loads(body)['total'] >= 1, 'reads keep working while the disk is full')
        os.unlink(filler)
        st, _, _ = create()
        check(st == 201, 'writes resume when space returns')

        # A read-only database: the server restarted with --read-only (the filesystem cannot be
        # remounted read-only while the database is open, so the same SQLite path is taken through
        # PRAGMA query_only: every write meets SQLITE_READONLY).
        srv.send_signal(signal.SIGTERM)
        check(srv.wait(timeout=30) == 0, 'graceful stop exits 0')
        os.unlink(pf)
        srv = subprocess.Popen([binary, 'serve', '--db', db, '--listen', f'127.0.0.1:{port}', '--port-file', pf,
                                '--quiet', '--read-only'], env=env, stderr=open(os.path.join(tmp, 'server.log'), 'a'))
        for _ in range(300):
            if os.path.exists(pf) and open(pf).read().strip():
                break
            time.sleep(0.02)
        st, hdr, body = create()
        check(st == 503 and json.loads(body).get('type', '').endswith('unavailable'),
              f'on a read-only database a write answers 503 unavailable (got {st})')
        st, _, _ = request(port, 'GET', '/api/v1/orgs?page_size=5', headers=auth)
        check(st == 200, 'reads keep working on a read-only database (the session survives the restart)')
        srv.send_signal(signal.SIGTERM)
        check(srv.wait(timeout=30) == 0, 'graceful stop exits 0')
        srv = None
        con = sqlite3.connect(db)
        check(con.execute('PRAGMA integrity_check').fetchone()[0] == 'ok', 'integrity_check ok after the faults')
        names = [r[0] for r in con.execute("SELECT name FROM orgs WHERE name LIKE '故障测试%'")]
        check(len(names) == len(set(names)), 'no write is present twice')
        con.close()
    finally:
        if srv and srv.poll() is None:
            srv.kill()
            srv.wait()
        subprocess.run(['umount', mnt], check=False)
        subprocess.run(['rm', '-rf', tmp], check=False)
    total = 14
    print(f'{total - failures} passed, {failures} failed')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
