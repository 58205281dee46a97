#!/usr/bin/env python3
"""Backup drill: `sanqu backup` under concurrent writes produces a file that opens, passes integrity
checks and, served by sanqu, answers with the same data up to the backup point.

Writers create organisations continuously; `sanqu backup` runs in the middle. Every write
acknowledged before the backup started must be in the backup, exactly; no write in the backup may
be one the server never acknowledged or never received; the backup is served (with its copied
field key: masked phones must still decrypt) and read through the API.
Usage: drill.py BINARY
"""
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

PW = 'Backup#2026pw'
failures = 0
checks = 0


def check(cond, what):
    global failures, checks
    checks += 1
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


def serve(binary, db, tmp, name, env):
    pf = os.path.join(tmp, name + '.port')
    p = subprocess.Popen([binary, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--port-file', pf, '--quiet'],
                         env=env, stderr=open(os.path.join(tmp, name + '.log'), 'w'))
    for _ in range(500):
        if os.path.exists(pf) and open(pf).read().strip():
            return p, int(open(pf).read())
        time.sleep(0.02)
    sys.exit('drill: server did not start')


def login(port):
    st, h, b = request(port, 'POST', '/api/v1/session', {'username': 'admin', 'password': PW})
    return {'Cookie': h['Set-Cookie'].split(';')[0], 'X-CSRF-Token': json.loads(b)['csrf_token']}


def main():
    binary = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix='sanqu-backup-')
    env = dict(os.environ, SANQU_PWHASH_MIN='1')
    db = os.path.join(tmp, 'live.db')
    subprocess.run([binary, 'demo', '--db', db, '--password-stdin'], input=PW + '\n', text=True, check=True,
                   capture_output=True, env=env)
    srv, port = serve(binary, db, tmp, 'live', env)
    auth = login(port)
    acked = []  # (ack time, id, name)
    sent = set()
    lock = threading.Lock()
    stop = threading.Event()

    def writer(w):
        n = 0
        while not stop.is_set():
            n += 1
            name = f'备份演练{w}-{n}'
            with lock:
                sent.add(name)
            st, _, b = request(port, 'POST', '/api/v1/orgs', {'kind': 'new_org', 'name': name, 'parent_id': 2}, auth)
            if st == 201:
                with lock:
                    acked.append((time.monotonic(), json.loads(b)['id'], name))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(16)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    backup = os.path.join(tmp, 'copy.db')
    t_start = time.monotonic()
    out = subprocess.run([binary, 'backup', backup, '--db', db], capture_output=True, text=True, env=env)
    t_end = time.monotonic()
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    check(out.returncode == 0, f'sanqu backup exits 0 under concurrent writes ({out.stdout.strip() or out.stderr.strip()})')
    check(os.path.exists(backup + '.key'), 'the field key is copied beside the backup')
    before = [(i, n) for (t, i, n) in acked if t < t_start]
    after = [(i, n) for (t, i, n) in acked if t > t_end]
    check(len(before) > 50 and len(after) > 10, f'writes ran before ({len(before)}) and after ({len(after)}) the backup')

    con = sqlite3.connect(backup)
    check(con.execute('PRAGMA integrity_check').fetchone()[0] == 'ok', 'the backup passes integrity_check')
    check(con.execute('PRAGMA foreign_key_check').fetchall() == [], 'the backup passes foreign_key_check')
    in_backup = {r[0]: r[1] for r in con.execute("SELECT id, name FROM orgs WHERE name LIKE '备份演练%'")}
    con.close()
    check(all(in_backup.get(i) == n for i, n in before), 'every write acknowledged before the backup is in it, exactly')
    check(set(in_backup.values()) <= sent, 'the backup holds no write that was never sent')
    acked_ids = {i for _, i, _ in acked}
    check(all(i in acked_ids for i in in_backup), 'every write in the backup was acknowledged by the server')

    srv.send_signal(signal.SIGTERM)
    check(srv.wait(timeout=30) == 0, 'live server stops gracefully')

    # Restore: serve the backup and read through the API.
    srv2, port2 = serve(binary, backup, tmp, 'restored', env)
    auth2 = login(port2)
    sample = before[:: max(1, len(before) // 20)]
    ok = True
    for i, n in sample:
        st, _, b = request(port2, 'GET', f'/api/v1/orgs/{i}', headers=auth2)
        ok = ok and st == 200 and json.loads(b)['name'] == n
    check(ok, f'the restored server answers {len(sample)} sampled records exactly')
    st, _, b = request(port2, 'GET', '/api/v1/orgs?q=%E5%A4%87%E4%BB%BD%E6%BC%94%E7%BB%83&page_size=1', headers=auth2)
    listed = json.loads(b) if st == 200 else {}
    # Counts stop at 1,000 (total_exact false beyond): compare within that cap.
    want = min(len(in_backup), 1000)
    check(st == 200 and listed.get('total') == want and listed.get('total_exact') == (len(in_backup) <= 1000),
          f'its list total equals the rows in the backup ({len(in_backup)}, counted up to 1,000)')
    st, _, b = request(port2, 'GET', '/api/v1/users?page_size=50', headers=auth2)
    phones = [u['phone'] for u in json.loads(b)['items'] if u['phone']]
    check(st == 200 and phones and all('****' in p for p in phones), 'personal data still decrypts (masked phones) with the copied key')
    srv2.send_signal(signal.SIGTERM)
    check(srv2.wait(timeout=30) == 0, 'restored server stops gracefully')
    subprocess.run(['rm', '-rf', tmp])
    print(f'{checks - failures} passed, {failures} failed')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
