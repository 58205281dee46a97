#!/usr/bin/env python3
"""sanqu benchmark: wrk on loopback against sanqu and, in the same run, against nginx serving a
static file of exactly the same size as each sanqu answer (the ceiling for this machine).

Prints requests/s, p50/p99/max latency, resident memory and the ratio to nginx, and appends a dated
row per figure (with CPU, cores and commit) to docs/performance.md.

Usage: tests/bench/bench.py BINARY [--duration S] [--connections N] [--no-record]
Targets 127.0.0.1 only; every wrk run is bounded by --duration.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

PW = 'Bench#2026pw'


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def wait_port_file(path, proc, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path):
            txt = open(path).read().strip()
            if txt:
                return int(txt)
        if proc.poll() is not None:
            raise SystemExit('server exited early')
        time.sleep(0.05)
    raise SystemExit('server did not start')


def rss_kb(pid):
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
    return 0


def http(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, dict(r.headers), r.read()


LAT_RE = re.compile(r'^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$')


def to_ms(v, unit):
    return float(v) * {'us': 0.001, 'ms': 1.0, 's': 1000.0}[unit]


def wrk(url, duration, conns, headers=(), script=None):
    args = ['wrk', '-t2', f'-c{conns}', f'-d{duration}s', '--latency', '--timeout', '5s']
    for h in headers:
        args += ['-H', h]
    if script:
        args += ['-s', script]
    args.append(url)
    out = sh(*args)
    res = {'rps': 0.0, 'p50': None, 'p99': None, 'max': None, 'errors': 0}
    for line in out.splitlines():
        m = LAT_RE.match(line)
        if m:
            if m.group(1) == '50':
                res['p50'] = to_ms(m.group(2), m.group(3))
            if m.group(1) == '99':
                res['p99'] = to_ms(m.group(2), m.group(3))
        if line.strip().startswith('Latency') and res['max'] is None:
            parts = line.split()
            mm = re.match(r'([\d.]+)(us|ms|s)', parts[3])
            if mm:
                res['max'] = to_ms(mm.group(1), mm.group(2))
        if line.startswith('Requests/sec:'):
            res['rps'] = float(line.split()[1])
        if 'Non-2xx or 3xx responses' in line:
            res['errors'] += int(line.split(':')[1])
        if line.strip().startswith('Socket errors'):
            res['errors'] += sum(int(x) for x in re.findall(r'\d+', line.split(':', 1)[1]))
    return res


NGINX_CONF = """
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000000;
    keepalive_timeout 65;
    default_type application/json;
    client_body_temp_path {dir}/ngx-body;
    proxy_temp_path {dir}/ngx-proxy;
    fastcgi_temp_path {dir}/ngx-fcgi;
    uwsgi_temp_path {dir}/ngx-uwsgi;
    scgi_temp_path {dir}/ngx-scgi;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/www;
    }}
}}
"""


def free_port():
    import socket
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    p = s.getsockname()[1]
    s.close()
    return p


def machine():
    cpu = 'unknown CPU'
    for line in open('/proc/cpuinfo'):
        if line.startswith('model name'):
            cpu = line.split(':', 1)[1].strip()
            break
    return cpu, os.cpu_count()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('binary')
    ap.add_argument('--duration', type=int, default=10)
    ap.add_argument('--connections', type=int, default=64)
    ap.add_argument('--no-record', action='store_true')
    ap.add_argument('--only', help='measure only the figures whose name matches this regular expression (implies --no-record)')
    ap.add_argument('--scale', type=int, default=1000000,
                    help='synthetic enterprises added to the demo district (the data set is cached in build/bench-data)')
    ap.add_argument('--dossiers', type=int, default=1000000, help='synthetic agreed items (dossiers) added')
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    tmp = tempfile.mkdtemp(prefix='sanqu-bench-')
    procs = []
    try:
        # The data set: the demo district plus --scale enterprises, generated once per scale and
        # binary version and copied for each run (the run writes to it).
        version = sh(binary, 'version').strip()
        cache_dir = os.path.join('build', 'bench-data')
        os.makedirs(cache_dir, exist_ok=True)
        cached = os.path.join(cache_dir, f'scale-{a.scale}-dossiers-{a.dossiers}.db')
        stamp = cached + '.version'
        if not os.path.exists(cached) or not os.path.exists(stamp) or open(stamp).read() != version:
            for ext in ('', '.key', '.accounts', '-wal', '-shm'):
                if os.path.exists(cached + ext):
                    os.unlink(cached + ext)
            t0 = time.time()
            subprocess.run([binary, 'demo', '--db', cached, '--password-stdin', '--scale', str(a.scale), '--dossiers',
                            str(a.dossiers)], input=PW + '\n', text=True, check=True, capture_output=True,
                           env=dict(os.environ, SANQU_PWHASH_MIN='1'))
            print(f'data set: demo district + {a.scale} enterprises + {a.dossiers} dossiers generated in '
                  f'{time.time() - t0:.0f} s')
            with open(stamp, 'w') as f:
                f.write(version)
        db = os.path.join(tmp, 's.db')
        shutil.copy(cached, db)
        shutil.copy(cached + '.key', db + '.key')
        # Written back before measuring: the kernel writing out a fresh 1.9 GB copy during the
        # first minutes slowed every flush and lengthened the tails (search p99 24 ms in the run
        # at 23ad803, 17–20 ms after a sync).
        os.sync()
        pf = os.path.join(tmp, 'port')
        t0 = time.time()
        srv = subprocess.Popen([binary, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--port-file', pf,
                                '--quiet'], stderr=subprocess.DEVNULL)
        procs.append(srv)
        port = wait_port_file(pf, srv)
        ready_ms = (time.time() - t0) * 1000
        base = f'http://127.0.0.1:{port}'
        time.sleep(0.3)
        idle_rss = rss_kb(srv.pid)

        st, hdr, body = http('POST', base + '/api/v1/session', json.dumps({'username': 'admin', 'password': PW}).encode(),
                             {'Content-Type': 'application/json'})
        cookie = hdr['Set-Cookie'].split(';')[0]
        csrf = json.loads(body)['csrf_token']
        auth = {'Cookie': cookie}
        # Matters are read by the working roles: a district leader.
        st, hdr, body = http('POST', base + '/api/v1/session', json.dumps({'username': 'leader', 'password': PW}).encode(),
                             {'Content-Type': 'application/json'})
        lcookie = hdr['Set-Cookie'].split(';')[0]
        lcsrf = json.loads(body)['csrf_token']
        lauth = {'Cookie': lcookie}
        _, _, orgs = http('GET', base + '/api/v1/orgs?kind=enterprise&page_size=1', headers=auth)
        org_id = json.loads(orgs)['items'][0]['id']

        # Each case: name, path, which session (None, 'admin', 'leader').
        cases = [
            ('health', '/api/v1/health', False, None),
            ('read one organisation (authenticated)', f'/api/v1/orgs/{org_id}', True, None),
            ('filtered list page (kind=enterprise, page 3)', '/api/v1/orgs?kind=enterprise&page=3&page_size=20', True, None),
            ('list page of one town\'s subtree (page 50)', '/api/v1/orgs?under=2&kind=enterprise&page=50', True, None),
            ('full-text search q=恒盛 (2 characters)', '/api/v1/orgs?q=%E6%81%92%E7%9B%9B&page_size=20', True, None),
            ('full-text search q=恒盛光电 (4 characters)', '/api/v1/orgs?q=%E6%81%92%E7%9B%9B%E5%85%89%E7%94%B5&page_size=20', True, None),
            ('home-page figures (stats/overview)', '/api/v1/stats/overview', True, 'leader'),
            ('read one dossier (allowed actions)', f'/api/v1/dossiers/{a.dossiers // 2}', True, 'leader'),
            ('dossier list (type and state)', '/api/v1/dossiers?type=agreed_item&state=registered&limit=20', True, 'leader'),
            ('dossier list: overdue (time_status=red)', '/api/v1/dossiers?time_status=red&limit=20', True, 'leader'),
            ('dossier full text q=路灯 (2 characters)', '/api/v1/dossiers?q=%E8%B7%AF%E7%81%AF&limit=20', True, 'leader'),
            ('dossier full text q=排水管网 (4 characters)', '/api/v1/dossiers?q=%E6%8E%92%E6%B0%B4%E7%AE%A1%E7%BD%91&limit=20', True, 'leader'),
        ]
        def wanted(name):
            return not a.only or re.search(a.only, name) is not None
        cases = [c for c in cases if wanted(c[0])]
        www = os.path.join(tmp, 'www')
        os.makedirs(www)
        def session(who):
            return lauth if who == 'leader' else auth

        for i, (name, path, needs_auth, who) in enumerate(cases):
            _, _, b = http('GET', base + path, headers=session(who) if needs_auth else {})
            with open(os.path.join(www, f'f{i}.json'), 'wb') as f:
                f.write(b)

        nport = free_port()
        with open(os.path.join(tmp, 'nginx.conf'), 'w') as f:
            f.write(NGINX_CONF.format(dir=tmp, port=nport))
        nginx = shutil.which('nginx') or '/usr/sbin/nginx'
        ng = subprocess.Popen([nginx, '-c', os.path.join(tmp, 'nginx.conf'), '-g', 'daemon off;'],
                              stderr=subprocess.DEVNULL)
        procs.append(ng)
        time.sleep(0.5)

        results = []
        for i, (name, path, needs_auth, who) in enumerate(cases):
            size = os.path.getsize(os.path.join(www, f'f{i}.json'))
            ref = wrk(f'http://127.0.0.1:{nport}/f{i}.json', a.duration, a.connections)
            hdrs = [f'Cookie: {lcookie if who == "leader" else cookie}'] if needs_auth else []
            got = wrk(base + path, a.duration, a.connections, hdrs)
            results.append((name, size, got, ref))

        # Durable writes: each request creates an organisation (fsync'd commit), unique names.
        _, _, sample = http('GET', base + f'/api/v1/orgs/{org_id}', headers=auth)
        with open(os.path.join(www, 'w.json'), 'wb') as f:
            f.write(sample)
        writes = [n for n in ('write: create an organisation (fsync)', 'durable event append (comment, fsync)') if wanted(n)]
        ref = wrk(f'http://127.0.0.1:{nport}/w.json', a.duration, a.connections) if writes else None
        lua = os.path.join(tmp, 'write.lua')
        with open(lua, 'w') as f:
            f.write('counter = 0\n'
                    'request = function()\n'
                    '  counter = counter + 1\n'
                    '  local body = string.format(\'{"kind":"new_org","name":"压测组织%d-%d","parent_id":2}\','
                    ' math.random(1, 1000000000), counter)\n'
                    f'  return wrk.format("POST", "/api/v1/orgs", {{["Content-Type"]="application/json",'
                    f' ["Cookie"]="{cookie}", ["X-CSRF-Token"]="{csrf}"}}, body)\n'
                    'end\n')
        if wanted('write: create an organisation (fsync)'):
            got = wrk(base + '/api/v1/orgs', a.duration, a.connections, script=lua)
            results.append(('write: create an organisation (fsync)', len(sample), got, ref))
        # Durable event appends: each request adds a comment event to a dossier's hash chain.
        lua2 = os.path.join(tmp, 'append.lua')
        with open(lua2, 'w') as f:
            f.write('counter = 0\n'
                    'request = function()\n'
                    '  counter = counter + 1\n'
                    '  local body = string.format(\'{"body":"压测评论 %d"}\', counter)\n'
                    f'  return wrk.format("POST", "/api/v1/dossiers/" .. (1 + (counter * 7919) % {max(a.dossiers, 100)}) .. "/comments",'
                    f' {{["Content-Type"]="application/json", ["Cookie"]="{lcookie}", ["X-CSRF-Token"]="{lcsrf}"}}, body)\n'
                    'end\n')
        if wanted('durable event append (comment, fsync)'):
            got = wrk(base + '/', a.duration, a.connections, script=lua2)
            results.append(('durable event append (comment, fsync)', len(sample), got, ref))
        load_rss = rss_kb(srv.pid)

        srv.send_signal(signal.SIGTERM)
        code = srv.wait(timeout=20)
        ng.send_signal(signal.SIGQUIT)
        ng.wait(timeout=10)

        cpu, cores = machine()
        commit = sh('git', 'rev-parse', '--short', 'HEAD').strip()
        today = datetime.date.today().isoformat()
        print(f'\nsanqu bench — {today}, {cpu}, {cores} cores, commit {commit}, wrk -t2 -c{a.connections} -d{a.duration}s, '
              f'{a.scale + 419} organisations, {a.dossiers + 100} dossiers')
        print(f'{"figure":44} {"bytes":>6} {"req/s":>9} {"nginx":>9} {"ratio":>6} {"p50ms":>7} {"p99ms":>7} {"maxms":>7} {"err":>4}')
        rows = []
        for name, size, got, ref in results:
            ratio = got['rps'] / ref['rps'] if ref['rps'] else 0
            print(f'{name:44} {size:6d} {got["rps"]:9.0f} {ref["rps"]:9.0f} {ratio:6.2f} {got["p50"] or 0:7.2f} '
                  f'{got["p99"] or 0:7.2f} {got["max"] or 0:7.2f} {got["errors"]:4d}')
            rows.append(f'| {today} | {commit} | {name} | {size} | {got["rps"]:.0f} | {ref["rps"]:.0f} | {ratio:.2f} | '
                        f'{got["p50"] or 0:.2f} | {got["p99"] or 0:.2f} | {got["max"] or 0:.2f} | {got["errors"]} |')
        print(f'resident memory: {idle_rss // 1024} MB idle, {load_rss // 1024} MB after load; ready in {ready_ms:.0f} ms '
              f'(including process start); graceful stop exit {code}')
        if not a.no_record and not a.only:
            doc = 'docs/performance.md'
            with open(doc, 'a', encoding='utf-8') as f:
                f.write(f'\n### Run of {today} — {cpu}, {cores} cores, commit {commit}\n\n'
                        f'{a.scale + 419} organisations, {a.dossiers + 100} dossiers; wrk -t2 -c{a.connections} -d{a.duration}s; RSS {idle_rss // 1024} MB idle, '
                        f'{load_rss // 1024} MB after load; ready {ready_ms:.0f} ms.\n\n'
                        '| date | commit | figure | bytes | sanqu req/s | nginx req/s | ratio | p50 ms | p99 ms | max ms | errors |\n'
                        '|---|---|---|---|---|---|---|---|---|---|---|\n' + '\n'.join(rows) + '\n')
            print(f'recorded in {doc}')
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
