#!/usr/bin/env python3
# Statements, commits and node CPU per API operation, one request at a time (almanac-bench/HISTORY.md, session 21).
# Usage: api-profile.py BASE_URL TOKEN NODE_PID N [create,list,get,run]; the node must have a PostgreSQL database of its
# own named apiprof (public schema) so that pg_stat_statements and pg_stat_database count its statements alone.
import sys, json, subprocess, time, urllib.request, random, os
base, token, pid, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ops = sys.argv[5].split(',') if len(sys.argv) > 5 else ['create','list','get','run']
DB = 'apiprof'
def psql(sql, db='test'):
    return subprocess.run(['psql','-h','127.0.0.1','-U','postgres','-d',db,'-At','-F','\t','-c',sql],capture_output=True,text=True).stdout
def stmts():
    out = psql(f"select queryid, calls, total_exec_time, left(regexp_replace(query,'\\s+',' ','g'),110) from pg_stat_statements where dbid=(select oid from pg_database where datname='{DB}')")
    d = {}
    for line in out.splitlines():
        q, c, t, text = line.split('\t', 3)
        d[q] = (int(c), float(t), text)
    return d
def commits():
    out = psql(f"select xact_commit, xact_rollback from pg_stat_database where datname='{DB}'")
    a, b = out.strip().split('\t'); return int(a), int(b)
def cpu():
    f = open(f'/proc/{pid}/stat').read().split(')')[-1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK')
def req(method, path, body=None):
    r = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    r.add_header('Authorization', 'Bearer ' + token)
    if body is not None: r.add_header('Content-Type', 'application/json')
    with urllib.request.urlopen(r) as resp: return resp.status, resp.read()
ids = [line for line in psql("select id from jobs limit 2000", DB).split()]
seq = [0]
def one(op):
    if op == 'create':
        seq[0] += 1
        return req('POST', '/jobs', {"name": f"prof-{time.time_ns()}-{seq[0]}", "template_type": "bench_noop", "parameters": {"n": 1}, "schedule": {"type": "cron", "expression": "0 3 * * *", "timezone": "UTC"}})
    if op == 'list': return req('GET', f'/jobs?page={random.randint(1,50)}&limit=20')
    if op == 'get': return req('GET', '/jobs/' + random.choice(ids))
    if op == 'run': return req('POST', '/jobs/' + random.choice(ids) + '/run', {})
    if op == 'idle': time.sleep(0.01); return (200, b'')
for op in ops:
    for _ in range(20): one(op)  # warm
    time.sleep(1.0)
    s0, c0, u0, t0 = stmts(), commits(), cpu(), time.time()
    for _ in range(n): one(op)
    time.sleep(1.0 if op == 'run' else 0.2)
    s1, c1, u1, t1 = stmts(), commits(), cpu(), time.time()
    print(f"== {op}: {n} requests in {t1-t0:.1f}s, node CPU {1000*(u1-u0)/n:.2f} ms/req, commits {(c1[0]-c0[0])/n:.2f}/req, rollbacks {(c1[1]-c0[1])/n:.2f}/req")
    rows = []
    for q, (c, t, text) in s1.items():
        pc, pt, _ = s0.get(q, (0, 0.0, ''))
        if c - pc > 0: rows.append(((c - pc) / n, (t - pt) / n, text))
    rows.sort(key=lambda r: -r[0])
    print(f"   statements/req {sum(r[0] for r in rows):.2f}, exec ms/req {sum(r[1] for r in rows):.3f}")
    for r in rows:
        if r[0] >= 0.02: print(f"   {r[0]:6.2f} {r[1]:7.3f}ms  {r[2]}")
