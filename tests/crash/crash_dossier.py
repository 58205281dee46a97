#!/usr/bin/env python3
"""Crash consistency of the dossier engine: every acknowledged event survives kill -9.

Each cycle starts sanqu on the same database, runs concurrent writers that append events to
dossiers — comments on a few hot dossiers (many writers on one hash chain at once), actions of the
agreed_item lifecycle taken with If-Match, and new dossiers — and logs every acknowledged answer
(201 for comments and creates, 200 for actions). It kills the server with SIGKILL at a random
moment, runs `sanqu verify --db` on the file (every chain intact, every projection ending at its
last event), restarts, and checks that:
  - every acknowledged comment is in its dossier's log exactly once, by its author, with exactly the
    acknowledged text, no later than the version its answer reported, and is found by full-text
    search (a sample);
  - every acknowledged action is the event right after the version it named in If-Match, with the
    acknowledged action, author, the declared next state and the acknowledged fields;
  - every acknowledged dossier exists with its acknowledged title;
  - after the last cycle, on a graceful stop: `sanqu verify` exits 0, PRAGMA integrity_check and
    foreign_key_check are clean.
Each cycle (and the final check) counts as one test; the closing line is "N passed, M failed", and
the exit status is non-zero on any failure.

Usage: crash_dossier.py BINARY [--cycles N] [--writers N] [--seed S] [--keep]. Loopback only,
bounded in time.
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
import urllib.parse

PW = 'Crash#2026pw'
AREA = 1  # A01 洛阳片区: the committee's area; 洛阳镇 (the town account's) handles its matters


class Failure(Exception):
    pass


def start(binary, db, tmp):
    pf = os.path.join(tmp, 'port')
    if os.path.exists(pf):
        os.unlink(pf)
    env = dict(os.environ, SANQU_PWHASH_MIN='1')
    p = subprocess.Popen([binary, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--port-file', pf, '--quiet',
                          '--ip-lock-failures', '0'],
                         stderr=open(os.path.join(tmp, 'server.log'), 'a'), env=env)
    end = time.time() + 15
    while time.time() < end:
        if os.path.exists(pf):
            text = open(pf).read().strip()
            if text:
                return p, int(text)
        if p.poll() is not None:
            raise Failure(f'server exited with {p.returncode} at start; see {tmp}/server.log')
        time.sleep(0.02)
    p.kill()
    raise Failure('server did not start within 15 s')


def request(port, method, path, body=None, headers=None, timeout=10):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            h['Content-Type'] = 'application/json'
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        try:
            js = json.loads(raw) if raw else None
        except ValueError:
            js = None
        return r.status, js
    finally:
        c.close()


class Session:
    """A signed-in demo account (cookie and CSRF token)."""

    def __init__(self, port, user):
        c = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        c.request('POST', '/api/v1/session', body=json.dumps({'username': user, 'password': PW}),
                  headers={'Content-Type': 'application/json'})
        r = c.getresponse()
        body = r.read()
        if r.status != 200:
            raise Failure(f'login as {user}: {r.status} {body[:200]!r}')
        self.user = user
        self.port = port
        self.cookie = r.getheader('Set-Cookie').split(';')[0]
        self.csrf = json.loads(body)['csrf_token']
        c.close()

    def get(self, path):
        return request(self.port, 'GET', path, headers={'Cookie': self.cookie})

    def post(self, path, body, headers=None, timeout=5):
        h = {'Cookie': self.cookie, 'X-CSRF-Token': self.csrf}
        h.update(headers or {})
        return request(self.port, 'POST', path, body, h, timeout=timeout)


# The actions each account takes in this test (its natural part of the lifecycle).
NATURAL = {
    'committee': ['assign', 'verify', 'write_off', 'reopen'],
    'town': ['accept', 'report_done', 'return'],
    'leader': ['supervise'],
}


def fields_for(action, handler, tag):
    if action == 'assign':
        return {'handler_org_id': handler}
    if action == 'report_done':
        return {'result': f'办结 {tag}', 'evidence': f'照片 {tag}'}
    if action == 'verify':
        return {'conclusion': f'验收 {tag}'}
    if action in ('reopen', 'return'):
        return {'reason': f'理由 {tag}'}
    if action == 'supervise':
        return {'level': 'supervise', 'limit_days': 10}
    return {}


class Log:
    """Everything acknowledged so far, shared by the writer threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.comments = []   # (dossier id, seq, text, username, hash): the comment's answer is its event
        self.actions = []    # (dossier id, seq, action, next state or None, fields, username)
        self.created = {}    # dossier id -> title
        self.hot = []        # dossier ids many writers comment on
        self.pool = []       # dossier ids the action writers work on
        self.unexpected = []  # answers no writer should get

    def note_unexpected(self, what):
        with self.lock:
            if len(self.unexpected) < 20:
                self.unexpected.append(what)


def check(sessions, log, where, sample_search=20, rnd=None):
    """Checks every acknowledged write against the server. Raises Failure."""
    s = sessions['leader']
    by_dossier = {}
    for did, seq, text, user, h in log.comments:
        by_dossier.setdefault(did, []).append(('comment', seq, (text, user, h)))
    for did, seq, action, state, fields, user in log.actions:
        by_dossier.setdefault(did, []).append(('action', seq, (action, state, fields, user)))
    for did in log.created:
        by_dossier.setdefault(did, [])
    for did, acks in by_dossier.items():
        st, d = s.get(f'/api/v1/dossiers/{did}')
        if st != 200:
            raise Failure(f'{where}: acknowledged dossier {did} is missing ({st})')
        if did in log.created and d.get('title') != log.created[did]:
            raise Failure(f'{where}: dossier {did} title {d.get("title")!r}, acknowledged {log.created[did]!r}')
        st, ev = s.get(f'/api/v1/dossiers/{did}/events')
        if st != 200:
            raise Failure(f'{where}: events of dossier {did}: {st}')
        items = ev['items']
        if [e['seq'] for e in items] != list(range(1, len(items) + 1)):
            raise Failure(f'{where}: dossier {did}: sequence numbers are not 1..{len(items)}')
        if d.get('version') != len(items):
            raise Failure(f'{where}: dossier {did}: version {d.get("version")}, {len(items)} events')
        for i in range(1, len(items)):
            if items[i]['prev_hash'] != items[i - 1]['hash']:
                raise Failure(f'{where}: dossier {did} event {i + 1}: prev_hash is not the previous hash')
        comments = {}
        for e in items:
            if e['action'] == 'comment':
                comments.setdefault(e['payload'].get('comment'), []).append(e)
        for kind, seq, what in acks:
            if seq < 1 or seq > len(items):
                raise Failure(f'{where}: dossier {did}: acknowledged {kind} at seq {seq}, the log has {len(items)} events')
            if kind == 'comment':
                text, user, h = what
                found = comments.get(text, [])
                if len(found) != 1:
                    raise Failure(f'{where}: dossier {did}: acknowledged comment {text!r} appears {len(found)} times')
                if found[0]['seq'] != seq or found[0]['username'] != user or found[0]['hash'] != h:
                    raise Failure(f'{where}: dossier {did}: comment {text!r} at seq {found[0]["seq"]} by '
                                  f'{found[0]["username"]} (hash {found[0]["hash"][:12]}); acknowledged by {user} '
                                  f'at seq {seq} (hash {h[:12]})')
            else:
                e = items[seq - 1]
                action, state, fields, user = what
                if e['username'] != user:
                    raise Failure(f'{where}: dossier {did} seq {seq}: {action} acknowledged to {user}, taken by {e["username"]}')
                if e['action'] != action or e['to_state'] != state:
                    raise Failure(f'{where}: dossier {did} seq {seq}: acknowledged {action} → {state}, found '
                                  f'{e["action"]} → {e["to_state"]}')
                got = e['payload'].get('fields', {})
                for k, v in fields.items():
                    if got.get(k) != v:
                        raise Failure(f'{where}: dossier {did} seq {seq} {action}: field {k} acknowledged {v!r}, '
                                      f'found {got.get(k)!r}')
        if did in log.created:
            e0 = items[0]
            if e0['action'] != 'create' or e0['payload']['fields'].get('title') != log.created[did]:
                raise Failure(f'{where}: dossier {did}: the create event does not hold the acknowledged title')
    # Full-text search finds acknowledged comments (their unique Latin tag), a sample.
    sample = log.comments if len(log.comments) <= sample_search else (rnd or random).sample(log.comments, sample_search)
    for did, seq, text, user, _ in sample:
        tag = text.split()[-1]
        st, res = s.get(f'/api/v1/dossiers?limit=50&q={urllib.parse.quote(tag)}')
        if st != 200 or did not in [it['id'] for it in res['items']]:
            raise Failure(f'{where}: the search for {tag!r} does not find dossier {did} ({st})')
    return len(by_dossier)


def run_verify(binary, db, where):
    r = subprocess.run([binary, 'verify', '--db', db], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, SANQU_PWHASH_MIN='1'))
    if r.returncode != 0 or 'all chains intact' not in r.stdout:
        raise Failure(f'{where}: sanqu verify exited {r.returncode}:\n{r.stdout[-2000:]}{r.stderr[-500:]}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('binary')
    ap.add_argument('--cycles', type=int, default=3)
    ap.add_argument('--writers', type=int, default=64)
    ap.add_argument('--seed', type=int, default=int(time.time()))
    ap.add_argument('--keep', action='store_true', help='keep the temporary directory')
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    binary = os.path.abspath(a.binary)
    tmp = tempfile.mkdtemp(prefix='sanqu-crash-dossier-')
    db = os.path.join(tmp, 'c.db')
    subprocess.run([binary, 'demo', '--db', db, '--password-stdin'], input=PW + '\n', text=True, check=True,
                   capture_output=True, env=dict(os.environ, SANQU_PWHASH_MIN='1'))
    print(f'crash_dossier: seed {a.seed}, {a.cycles} cycles, {a.writers} writers, database {db}')
    log = Log()
    passed = failed = 0
    handler = None
    next_state = {}
    srv = None

    for cycle in range(a.cycles):
        try:
            srv, port = start(binary, db, tmp)
            sessions = {u: Session(port, u) for u in ('committee', 'town', 'leader', 'community')}
            if handler is None:
                st, res = sessions['leader'].get('/api/v1/orgs?page_size=200&q=' + urllib.parse.quote('洛阳镇'))
                handler = next(o['id'] for o in res['items'] if o['name'] == '洛阳镇')
                st, types = sessions['leader'].get('/api/v1/dossier-types')
                decl = next(t for t in types['items'] if t['type'] == 'agreed_item')
                next_state = {k: v.get('to') for k, v in decl['actions'].items()}
            checked = check(sessions, log, f'cycle {cycle + 1} start', rnd=rnd)
            if cycle == 0:
                # The hot dossiers: many writers append to their chains at once.
                for i in range(8):
                    title = f'崩溃测试热点{i}'
                    st, d = sessions['committee'].post('/api/v1/dossiers',
                                                       {'type': 'agreed_item', 'title': title, 'area_id': AREA})
                    if st != 201:
                        raise Failure(f'set-up: creating a dossier answered {st}: {d}')
                    log.created[d['id']] = title
                    log.hot.append(d['id'])
                    log.pool.append(d['id'])
            stop = threading.Event()
            counts = {'comment': 0, 'action': 0, 'create': 0}

            def writer(w):
                wr = random.Random(a.seed * 1000 + cycle * 100 + w)
                n = 0
                role = 'create' if w % 8 == 0 else 'action' if w % 4 == 1 else 'comment'
                while not stop.is_set():
                    n += 1
                    tag = f'c{cycle}w{w}n{n}z'  # the z ends it: a prefix query finds this one only
                    try:
                        if role == 'comment':
                            s = sessions['town' if w % 3 == 0 else 'community' if w % 3 == 1 else 'committee']
                            with log.lock:
                                did = wr.choice(log.hot) if wr.random() < 0.75 or not log.pool else wr.choice(log.pool)
                            text = f'评论 {w}-{n}：现场情况说明\n第二行 {tag}'
                            st, d = s.post(f'/api/v1/dossiers/{did}/comments', {'body': text})
                            if st == 201:
                                with log.lock:
                                    log.comments.append((did, d['seq'], text, s.user, d['hash']))
                                    counts['comment'] += 1
                            elif st != 503:
                                log.note_unexpected(f'comment on {did}: {st} {d}')
                        elif role == 'create':
                            title = f'崩溃测试新建 {tag}'
                            st, d = sessions['committee'].post('/api/v1/dossiers', {
                                'type': 'agreed_item', 'title': title, 'area_id': AREA,
                                'body': f'正文 {tag}'})
                            if st == 201:
                                with log.lock:
                                    log.created[d['id']] = title
                                    log.pool.append(d['id'])
                                    counts['create'] += 1
                            elif st != 503:
                                log.note_unexpected(f'create: {st} {d}')
                        else:
                            user = wr.choice(['committee', 'committee', 'town', 'town', 'leader'])
                            s = sessions[user]
                            with log.lock:
                                did = wr.choice(log.pool)
                            st, d = s.get(f'/api/v1/dossiers/{did}')
                            if st != 200:
                                if st != 503:
                                    log.note_unexpected(f'get {did} as {user}: {st}')
                                continue
                            choices = [x for x in d['allowed_actions'] if x in NATURAL[user]]
                            if not choices:
                                continue
                            action = wr.choice(choices)
                            fields = fields_for(action, handler, tag)
                            version = d['version']
                            st, r = s.post(f'/api/v1/dossiers/{did}/actions/{action}', fields,
                                           {'If-Match': f'"{version}"'})
                            if st == 200:
                                # The answer is the dossier read after the commit: later writes may
                                # already show in it, earlier ones never.
                                if r['version'] < version + 1:
                                    log.note_unexpected(f'{action} on {did} at version {version} answered version '
                                                        f'{r["version"]}')
                                with log.lock:
                                    log.actions.append((did, version + 1, action, next_state[action], fields, user))
                                    counts['action'] += 1
                            elif st not in (409, 412, 503):
                                log.note_unexpected(f'{action} on {did} as {user}: {st} {r}')
                    except Exception:
                        return  # the server died mid-request: not acknowledged

            threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(a.writers)]
            for t in threads:
                t.start()
            time.sleep(rnd.uniform(0.3, 1.5))
            srv.send_signal(signal.SIGKILL)
            srv.wait()
            stop.set()
            for t in threads:
                t.join(timeout=15)
            srv = None
            if log.unexpected:
                raise Failure(f'cycle {cycle + 1}: unexpected answers: {log.unexpected[:5]}')
            run_verify(binary, db, f'cycle {cycle + 1} after kill -9')
            print(f'crash_dossier: cycle {cycle + 1}: killed; acknowledged {counts["comment"]} comments, '
                  f'{counts["action"]} actions, {counts["create"]} dossiers (checked {checked} dossiers at start)')
            passed += 1
        except Failure as e:
            print(f'crash_dossier: FAILED: {e}')
            failed += 1
            if srv is not None:
                srv.kill()
                srv.wait()
                srv = None
            log.unexpected.clear()

    # Final start and full check, a graceful stop, then the file itself.
    try:
        srv, port = start(binary, db, tmp)
        sessions = {u: Session(port, u) for u in ('committee', 'town', 'leader', 'community')}
        checked = check(sessions, log, 'final', sample_search=100, rnd=rnd)
        srv.send_signal(signal.SIGTERM)
        if srv.wait(timeout=30) != 0:
            raise Failure('final: graceful stop did not exit 0')
        srv = None
        run_verify(binary, db, 'final')
        con = sqlite3.connect(db)
        ok = con.execute('PRAGMA integrity_check').fetchone()[0]
        if ok != 'ok':
            raise Failure(f'final: integrity_check: {ok}')
        fk = con.execute('PRAGMA foreign_key_check').fetchall()
        if fk:
            raise Failure(f'final: foreign_key_check: {fk[:5]}')
        # Every event row of the test's dossiers has its projection, and counts agree.
        orphans = con.execute('SELECT count(*) FROM dossier_events e WHERE NOT EXISTS '
                              '(SELECT 1 FROM dossiers d WHERE d.id = e.dossier_id)').fetchone()[0]
        if orphans:
            raise Failure(f'final: {orphans} events without a dossier (a half-written create)')
        con.close()
        print(f'crash_dossier: final: {len(log.comments)} comments, {len(log.actions)} actions, '
              f'{len(log.created)} dossiers acknowledged, all present and exact in {checked} dossiers; '
              'verify and integrity ok')
        passed += 1
    except Failure as e:
        print(f'crash_dossier: FAILED: {e}')
        failed += 1
        if srv is not None:
            srv.kill()
            srv.wait()
    if failed == 0 and not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f'crash_dossier: files kept in {tmp}')
    print(f'{passed} passed, {failed} failed')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
