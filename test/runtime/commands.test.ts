import {test} from 'node:test';
import assert from 'node:assert/strict';
import {sh} from './helpers.js';

test('echo -n and -e, printf formats', async () => {
	const run = await sh(String.raw`echo -n a; echo b; echo -e 'x\ty'; echo 'no\tescape'; printf '%s-%d-%5s|%-4s|%03d|%x|%.2f\n' s 42 r l 7 255 3.14159; printf '%s\n' a b c`);
	assert.equal(run.stdout, 'ab\nx\ty\nno\\tescape\ns-42-    r|l   |007|ff|3.14\na\nb\nc\n');
});

test('date: busybox default format, +FORMAT, -u, -Iseconds', async () => {
	const before = Date.now();
	const run = await sh('date; date -u +%Y-%m-%dT%H:%M:%S; date -Iseconds; date +%s');
	const [plain, custom, iso, epoch] = run.stdout.trimEnd().split('\n');
	assert.match(plain!, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d UTC \d{4}$/);
	assert.match(custom!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
	assert.match(iso!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
	assert.ok(Math.abs(Number(epoch) * 1000 - before) < 5000, `epoch ${epoch} near now`);
	// The default format agrees with the epoch (same second or the next).
	const parsed = Date.parse(plain!.replace(' UTC', '') + ' GMT');
	assert.ok(Math.abs(parsed - before) < 5000, `parsed ${plain}`);
});

test('ls -la: busybox long format with . and .., total, sizes; missing path on stderr, exit 1', async () => {
	const run = await sh('mkdir /tmp/d; printf "%0177d" 0 > /tmp/d/app.log; mkdir /tmp/d/sub; ls -la /tmp/d; ls /tmp/d; ls /x; echo "s=$?"');
	const lines = run.stdout.split('\n');
	assert.equal(lines[0], 'total 16');
	assert.match(lines[1]!, /^drwxr-xr-x {4}3 root {5}root {10}4096 [A-Z][a-z]{2} [ \d]\d \d\d:\d\d \.$/);
	assert.match(lines[2]!, /^drwxrwxrwt +\d+ root {5}root {10}4096 .* \.\.$/);
	assert.match(lines[3]!, /^-rw-r--r-- {4}1 root {5}root {11}177 [A-Z][a-z]{2} [ \d]\d \d\d:\d\d app\.log$/);
	assert.match(lines[4]!, /^drwxr-xr-x {4}2 root {5}root {10}4096 .* sub$/);
	assert.deepEqual(lines.slice(5), ['app.log', 'sub', 's=1', '']);
	assert.equal(run.stderr, 'ls: /x: No such file or directory\n');
});

test('cat, head, tail, wc, grep', async () => {
	const run = await sh('seq 12 > /tmp/n; head -n 2 /tmp/n; tail -n 2 /tmp/n; tail -3 /tmp/n | head -1; wc -l /tmp/n; wc -l < /tmp/n; grep -n 1 /tmp/n | head -2; grep -c 1 /tmp/n; grep -q zzz /tmp/n; echo "q=$?"; cat /tmp/none; echo "c=$?"');
	assert.equal(run.stdout, '1\n2\n11\n12\n10\n12 /tmp/n\n12\n1:1\n10:10\n4\nq=1\nc=1\n');
	assert.equal(run.stderr, "cat: can't open '/tmp/none': No such file or directory\n");
});

test('touch, mkdir -p, cp, mv, rm; stat -c %s; md5sum and sha256sum', async () => {
	const run = await sh('mkdir -p /a/b/c; touch /a/b/c/t; echo hello > /a/f; cp /a/f /a/g; mv /a/g /a/h; ls /a; rm /a/h; ls /a; stat -c %s /a/f; md5sum /a/f; echo -n hello | sha256sum; rm /a/b; echo "rm=$?"; rm -r /a/b; ls /a');
	assert.equal(run.stdout, [
		'b', 'f', 'h',
		'b', 'f',
		'6',
		'b1946ac92492d2347c6235b4d2611184  /a/f',
		'2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  -',
		'rm=1',
		'f', '',
	].join('\n'));
	assert.equal(run.stderr, "rm: '/a/b' is a directory\n");
});

test('test and [ : strings, numbers, files', async () => {
	const run = await sh('touch /tmp/f; for e in "-f /tmp/f" "-d /tmp" "-e /nope" "-z \'\'" "-n x" "3 -lt 5" "a = b" "a != b" "! -f /nope" "1 -eq 1 -a 2 -gt 1"; do eval "[ $e ]" && echo T || echo F; done');
	assert.equal(run.stdout, 'T\nT\nF\nT\nT\nT\nF\nT\nT\nT\n');
});

test('true, false, yes, seq, hostname, id, whoami, env, /etc files', async () => {
	const run = await sh('true; echo $?; false; echo $?; yes hi | head -n 2; seq 2 4; seq 1 2 5; hostname; id; whoami; cat /etc/hostname; env | grep ^HOSTNAME=; grep -c BusyBox /etc/os-release; ls /bin | grep -c -x -e sh -e ls -e cat');
	assert.equal(run.stdout, '0\n1\nhi\nhi\n2\n3\n4\n1\n3\n5\ntest-pod\nuid=0(root) gid=0(root) groups=0(root),10(wheel)\nroot\ntest-pod\nHOSTNAME=test-pod\n1\n3\n');
});

test('sleep takes real, fractional time', async () => {
	const started = performance.now();
	const run = await sh('sleep 0.3; sleep .1; echo done');
	const elapsed = performance.now() - started;
	assert.equal(run.stdout, 'done\n');
	assert.ok(elapsed >= 380 && elapsed < 2000, `elapsed ${elapsed}`);
});

test('tail -f follows appends live and survives truncation', async () => {
	const run = await sh('echo one > /tmp/l; tail -f /tmp/l & sleep 0.1; echo two >> /tmp/l; sleep 0.1; : > /tmp/l; echo three >> /tmp/l; sleep 0.1; exit 0');
	assert.equal(run.stdout, 'one\ntwo\nthree\n');
	const two = run.chunks.find(chunk => chunk.text.includes('two'));
	const three = run.chunks.find(chunk => chunk.text.includes('three'));
	assert.ok(two && three && three.at - two.at >= 50, 'lines arrive as they are appended');
});

test('tail -f of a missing file fails like busybox', async () => {
	const run = await sh('tail -f /var/log/none.log');
	assert.equal(run.stderr, "tail: can't open '/var/log/none.log': No such file or directory\ntail: no files\n");
	assert.equal(run.result.exitCode, 1);
});

test('tail -F follows a rotated file by name; tail -f keeps the old one', async () => {
	const run = await sh('echo a > /tmp/l; tail -F -s 0.05 /tmp/l & tail -f /tmp/l > /tmp/old & sleep 0.05; mv /tmp/l /tmp/l.1; echo b > /tmp/l; sleep 0.3; echo "old: $(cat /tmp/old)"; exit 0');
	assert.equal(run.stdout, 'a\nb\nold: a\n');
});

test('sed: s with groups and flags, -n p, d, ranges, $, -E, -i, streaming', async () => {
	const run = await sh(String.raw`printf "one two\nthree four\nfive\n" > /tmp/f; sed "s/o/0/g" /tmp/f; sed -n 2p /tmp/f; sed /three/d /tmp/f; sed -E "s/(\w+) (\w+)/\2 \1/" /tmp/f; sed "s/\(o\)n/[\1]/;1,2d" /tmp/f; sed -n '$p' /tmp/f; sed -i s/five/5/ /tmp/f; cat /tmp/f; sed "s/x" /tmp/f; echo "s=$?"`);
	assert.equal(run.stdout, '0ne tw0\nthree f0ur\nfive\nthree four\none two\nfive\ntwo one\nfour three\nfive\nfive\nfive\none two\nthree four\n5\ns=1\n');
	assert.equal(run.stderr, 'sed: unterminated regex\n');
	const live = await sh('(echo a; sleep 0.3; echo b) | sed s/^/line:/');
	assert.equal(live.stdout, 'line:a\nline:b\n');
	assert.ok(live.chunks[1]!.at - live.chunks[0]!.at >= 200, 'sed passes each line on as it arrives');
});

test('awk: fields, -F, -v, patterns, END sums, printf, functions, field assignment, streaming', async () => {
	const run = await sh(String.raw`printf "a 1\nb 2\nc 3\n" > /tmp/f; awk '{print $2, $1}' /tmp/f; awk '{s += $2} END {print "sum=" s, NR}' /tmp/f; awk /b/ /tmp/f; awk -F: 'NR==1 {print $1, NF}' /etc/passwd; awk '$2 > 1 {printf "%s-%03d\n", toupper($1), $2 * 10}' /tmp/f; echo "x y z" | awk '{$2 = "Y"; print; print NF}'; awk 'BEGIN {x = 2; while (x > 0) {print x; x--}; print (x == 0 ? "zero" : "no"), 1/4, int(7.9), substr("hello", 2, 3)}'; echo k=v | awk -F= -v p=pre '{print p $2}'; awk '{' /tmp/f; echo "s=$?"`);
	assert.equal(run.stdout, '1 a\n2 b\n3 c\nsum=6 3\nb 2\nroot 7\nB-020\nC-030\nx Y z\n3\n2\n1\nzero 0.25 7 ell\nprev\ns=2\n');
	assert.equal(run.stderr, 'awk: cmd. line:1: syntax error: missing }\n');
	const live = await sh(String.raw`(echo "a 1"; sleep 0.3; echo "b 2") | awk '{print $2}'`);
	assert.equal(live.stdout, '1\n2\n');
	assert.ok(live.chunks[1]!.at - live.chunks[0]!.at >= 200, 'awk passes each line on as it arrives');
});

test('ps shows PID 1 (the container command) and itself, busybox style', async () => {
	const run = await sh('ps');
	assert.match(run.stdout, /^PID {3}USER {5}TIME {2}COMMAND\n {4}1 root {6}0:\d\d sh -c ps\n +\d+ root {6}0:00 ps\n$/);
});

test('du in 1K blocks (-s, -h) and read skipping option values', async () => {
	const run = await sh('mkdir -p /d/a; printf "%05000d" 0 > /d/a/x; echo hi > /d/y; du -s /d; du -sh /d/; du /d; echo "a b" | { read -t 5 -r x y; echo "[$x][$y]"; }');
	assert.equal(run.stdout, '20\t/d\n20.0K\t/d\n12\t/d/a\n20\t/d\n[a][b]\n');
});
