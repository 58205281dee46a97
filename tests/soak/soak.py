#!/usr/bin/env python3
"""Soak: mixed load (reads of one record, list pages, searches, figures, the three-lists board,
matching, writes of records and dossier comments) for a bounded time against
sanqu on loopback. After a warm-up, resident memory and open file descriptors are sampled; at the
end both must be within 5% of the warm-up values, and no answer
may be an error other than those expected. Both samples are taken 11 s after the load stops (the
server returns free heap every 10 s).
Usage: soak.py BINARY [--seconds 600] [--warmup 120]
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

PW = 'Soak#2026pw'


def rss_kb(pid):
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
    return 0


def rss_parts(pid):
    """The parts of the resident set: anonymous (heap, stacks), file-backed (the binary, libraries,
    mapped database pages) and shared memory, in kB."""
    parts = {}
    for line in open(f'/proc/{pid}/status'):
        for k in ('RssAnon', 'RssFile', 'RssShmem'):
            if line.startswith(k + ':'):
                parts[k] = int(line.split()[1])
    return ' '.join(f'{k[3:].lower()} {v}' for k, v in parts.items())


def keep_smaps(pid, name):
    """With SOAK_SMAPS=DIR, keeps the server's memory map at a sample (to see what grew)."""
    d = os.environ.get('SOAK_SMAPS')
    if d:
        os.makedirs(d, exist_ok=True)
        shutil.copyfile(f'/proc/{pid}/smaps', os.path.join(d, name + '.smaps'))


def fds(pid):
    return len(os.listdir(f'/proc/{pid}/fd'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('binary')
    ap.add_argument('--seconds', type=int, default=600)
    ap.add_argument('--warmup', type=int, default=120)
    ap.add_argument('--threads', type=int, help='worker threads of the server (default: its own)')
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    tmp = tempfile.mkdtemp(prefix='sanqu-soak-')
    env = dict(os.environ, SANQU_PWHASH_MIN='1')
    db = os.path.join(tmp, 's.db')
    subprocess.run([binary, 'demo', '--db', db, '--password-stdin'], input=PW + '\n', text=True, check=True,
                   capture_output=True, env=env)
    pf = os.path.join(tmp, 'port')
    srv = subprocess.Popen([binary, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--port-file', pf, '--quiet']
                           + (['--threads', str(a.threads)] if a.threads else []),
                           env=env, stderr=open(os.path.join(tmp, 'server.log'), 'w'))
    try:
        for _ in range(500):
            if os.path.exists(pf) and open(pf).read().strip():
                break
            time.sleep(0.02)
        port = int(open(pf).read())
        base = f'http://127.0.0.1:{port}'
        req = urllib.request.Request(base + '/api/v1/session', method='POST',
                                     data=json.dumps({'username': 'admin', 'password': PW}).encode(),
                                     headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req) as r:
            cookie = r.headers['Set-Cookie'].split(';')[0]
            csrf = json.loads(r.read())['csrf_token']
        # Matters are the leader's (the administrator reads no dossiers).
        req = urllib.request.Request(base + '/api/v1/session', method='POST',
                                     data=json.dumps({'username': 'leader', 'password': PW}).encode(),
                                     headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req) as r:
            lcookie = r.headers['Set-Cookie'].split(';')[0]
            lcsrf = json.loads(r.read())['csrf_token']
        req = urllib.request.Request(base + '/api/v1/orgs?kind=new_org&page_size=20', headers={'Cookie': cookie})
        with urllib.request.urlopen(req) as r:
            targets = [(o['id'], o['name']) for o in json.loads(r.read())['items']]
        req = urllib.request.Request(base + '/api/v1/dossiers?type=need&limit=1', headers={'Cookie': lcookie})
        with urllib.request.urlopen(req) as r:
            need = json.loads(r.read())['items'][0]['id']
        req = urllib.request.Request(base + '/api/v1/dossiers?type=agreed_item&open=true&limit=1', headers={'Cookie': lcookie})
        with urllib.request.urlopen(req) as r:
            item = json.loads(r.read())['items'][0]['id']
        lua_targets = ', '.join(f'{{{i}, "{n}"}}' for i, n in targets)
        lua = os.path.join(tmp, 'mix.lua')
        with open(lua, 'w') as f:
            f.write(f'''
counter = 0
targets = {{{lua_targets}}}
local hdr = {{["Cookie"]="{cookie}"}}
local whdr = {{["Cookie"]="{cookie}", ["X-CSRF-Token"]="{csrf}", ["Content-Type"]="application/json"}}
local lhdr = {{["Cookie"]="{lcookie}"}}
local lwhdr = {{["Cookie"]="{lcookie}", ["X-CSRF-Token"]="{lcsrf}", ["Content-Type"]="application/json"}}
request = function()
  counter = counter + 1
  local k = counter % 26
  if k >= 20 then
    if k == 20 then return wrk.format("GET", "/api/v1/dossiers?limit=20&type=agreed_item", lhdr)
    elseif k == 21 then return wrk.format("GET", "/api/v1/three-lists", lhdr)
    elseif k == 22 then return wrk.format("GET", "/api/v1/stats/services?from=2025-01-01", lhdr)
    elseif k == 23 then return wrk.format("GET", "/api/v1/dossiers/{need}/matches", lhdr)
    elseif k == 24 then return wrk.format("GET", "/api/v1/centers?page=" .. (1 + counter % 2), hdr)
    else
      -- Comments append events to one dossier's hash chain (the log grows, memory must not).
      return wrk.format("POST", "/api/v1/dossiers/{item}/comments", lwhdr, string.format('{{"body":"浸泡意见 %d"}}', counter))
    end
  elseif k < 10 then
    return wrk.format("GET", "/api/v1/orgs/" .. (50 + counter % 300), hdr)
  elseif k < 15 then
    return wrk.format("GET", "/api/v1/orgs?kind=enterprise&page=" .. (1 + counter % 10), hdr)
  elseif k < 18 then
    return wrk.format("GET", "/api/v1/orgs?q=%E6%B3%89%E5%B7%9E&page=" .. (1 + counter % 5), hdr)
  elseif k < 19 then
    return wrk.format("GET", "/api/v1/stats/overview", hdr)
  else
    -- Writes update existing records so that the data set keeps its size (the audit log grows).
    local t = targets[1 + counter % #targets]
    return wrk.format("PUT", "/api/v1/orgs/" .. t[1], whdr,
      string.format('{{"kind":"new_org","name":"%s","note":"浸泡 %d"}}', t[2], counter))
  end
end
''')

        def run(seconds):
            out = subprocess.run(['wrk', '-t2', '-c32', f'-d{seconds}s', '--timeout', '5s', '-s', lua, base + '/'],
                                 capture_output=True, text=True, check=True).stdout
            errors = 0
            rps = 0.0
            for line in out.splitlines():
                if 'Non-2xx or 3xx responses' in line or line.strip().startswith('Socket errors'):
                    errors += sum(int(x) for x in line.split(':', 1)[1].replace(',', ' ').split() if x.isdigit())
                if line.startswith('Requests/sec:'):
                    rps = float(line.split()[1])
            return rps, errors

        # Both samples are taken the same way: once the load has stopped and the server has been
        # idle long enough (11 s) for its watchdog to return free heap to the system (every 10 s),
        # so that what is compared is what the process keeps, not the garbage of the last second.
        rps_w, err_w = run(a.warmup)
        time.sleep(11)
        keep_smaps(srv.pid, 'warmup')
        rss0, fd0 = rss_kb(srv.pid), fds(srv.pid)
        print(f'soak: warm-up {a.warmup}s: {rps_w:.0f} req/s, {err_w} errors; RSS {rss0} kB ({rss_parts(srv.pid)}), {fd0} fds')
        rps, err = run(a.seconds)
        time.sleep(11)
        keep_smaps(srv.pid, 'end')
        rss1, fd1 = rss_kb(srv.pid), fds(srv.pid)
        print(f'soak: {a.seconds}s: {rps:.0f} req/s, {err} errors; RSS {rss1} kB ({rss_parts(srv.pid)}), {fd1} fds')
        checks = [
            (err_w == 0 and err == 0, 'no error answers'),
            (rss1 <= rss0 * 1.05, f'RSS within 5% of warm-up ({rss0} → {rss1} kB)'),
            (fd1 <= fd0 * 1.05, f'open fds within 5% of warm-up ({fd0} → {fd1})'),
        ]
        srv.send_signal(signal.SIGTERM)
        checks.append((srv.wait(timeout=30) == 0, 'graceful stop exits 0'))
        failed = 0
        for ok, what in checks:
            print(('ok     ' if ok else 'FAILED ') + what)
            failed += not ok
        print(f'{len(checks) - failed} passed, {failed} failed')
        sys.exit(1 if failed else 0)
    finally:
        if srv.poll() is None:
            srv.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
