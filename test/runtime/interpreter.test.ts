import {test} from 'node:test';
import assert from 'node:assert/strict';
import {sh} from './helpers.js';

test('sequences, && || ! and exit codes', async () => {
	const run = await sh('true && echo a; false && echo b; false || echo c; ! false && echo d; false; echo "s=$?"; exit 7');
	assert.equal(run.stdout, 'a\nc\nd\ns=1\n');
	assert.deepEqual(run.result, {exitCode: 7, reason: 'Error'});
});

test('a clean end is Completed with exit 0', async () => {
	const run = await sh('echo ok');
	assert.deepEqual(run.result, {exitCode: 0, reason: 'Completed'});
});

test('quoting: single, double, escapes, no word splitting in quotes', async () => {
	const run = await sh(String.raw`x='a  b'; echo $x; echo "$x"; echo '$x' "\$x" \"q\"; printf '[%s]' $x; echo; printf '[%s]' "$x"; echo`);
	assert.equal(run.stdout, 'a b\na  b\n$x $x "q"\n[a][b]\n[a  b]\n');
});

test('parameter expansion: defaults, alternatives, length, patterns', async () => {
	const run = await sh('unset u; e=; v=hello.tar.gz; echo ${u:-d1} ${e:-d2} ${e-d3}x ${v:+alt} ${#v} ${v%.*} ${v%%.*} ${v#*.} ${v##*.} ${u:=set}; echo $u; echo ${v/l/L} ${v//l/L}');
	assert.equal(run.stdout, 'd1 d2 x alt 12 hello.tar hello tar.gz gz set\nset\nheLlo.tar.gz heLLo.tar.gz\n');
});

test('special parameters: $? $# $@ $0, positional args of sh -c, and $$ (via eval: Kubernetes turns $$ in args into $)', async () => {
	const script = 'echo "$0 $# $1 $2"; for a in "$@"; do echo "<$a>"; done; eval "echo \\$\\$"; echo $$';
	const run = await sh('', {spec: {command: ['sh', '-c'], args: [script, 'myname', 'one', 'two words']}});
	assert.equal(run.stdout, 'myname 2 one two words\n<one>\n<two words>\n1\n$\n');
});

test('Kubernetes $(VAR) references in args are expanded from env', async () => {
	const run = await sh('', {spec: {command: ['sh', '-c', 'echo $(GREETING) $(UNSET_VAR)'], env: [{name: 'GREETING', value: 'hello'}]}});
	assert.equal(run.stdout, 'hello\n');
	assert.equal(run.stderr, 'sh: UNSET_VAR: not found\n');
});

test('command substitution: $(...) and backticks, nested, trailing newlines stripped', async () => {
	const run = await sh('a=$(echo hi; echo there); b=`echo x`; echo "[$a] [$b] [$(echo $(echo nested))]"; n=$(printf "x\\n\\n\\n"); echo "[$n]"');
	assert.equal(run.stdout, '[hi\nthere] [x] [nested]\n[x]\n');
});

test('arithmetic with assignment, precedence, comparison, ternary', async () => {
	const run = await sh('i=5; echo $((i+1)) $((i*2+3)) $((i/2)) $((i%3)) $((i<10)) $((i>10?1:2)) $((2**10)) $((-i)); : $((i+=10)); echo $i; j=$((i++)); echo $i $j; echo $(( (1+2)*3 ))');
	assert.equal(run.stdout, '6 13 2 2 1 2 1024 -5\n15\n16 15\n9\n');
});

test('while, until, for, break and continue', async () => {
	const run = await sh('i=0; while [ $i -lt 5 ]; do i=$((i+1)); [ $i -eq 2 ] && continue; [ $i -eq 4 ] && break; echo w$i; done; until [ $i -eq 0 ]; do i=$((i-1)); done; echo u$i; for x in a b c; do for y in 1 2; do [ $y = 2 ] && continue 2; echo $x$y; done; done');
	assert.equal(run.stdout, 'w1\nw3\nu0\na1\nb1\nc1\n');
});

test('if/elif/else and case with patterns and alternatives', async () => {
	const run = await sh('for v in apple 42 x.log zzz; do case $v in a*) echo fruit;; [0-9]*) echo number;; *.log|*.txt) echo file;; *) echo other;; esac; done; if false; then echo 1; elif true; then echo 2; else echo 3; fi');
	assert.equal(run.stdout, 'fruit\nnumber\nfile\nother\n2\n');
});

test('functions: arguments, return status, local, recursion', async () => {
	const run = await sh('f() { local x=$1; echo "f($x) n=$#"; return 3; }; x=outer; f inner two; echo "status=$? x=$x"; fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1-1))) )); fi; }; fact 6');
	assert.equal(run.stdout, 'f(inner) n=2\nstatus=3 x=outer\n720\n');
});

test('pipes stream between stages and give the last stage status', async () => {
	const run = await sh('printf "b\\na\\nc\\n" | sort | tr a-z A-Z; echo x | false; echo "s=$?"; yes | head -n 2; seq 5 | grep -v 3 | wc -l');
	assert.equal(run.stdout, 'A\nB\nC\ns=1\ny\ny\n4\n');
});

test('redirections: > >> < 2>&1 2>/dev/null >/dev/null and here-docs', async () => {
	const run = await sh('echo one > /tmp/f; echo two >> /tmp/f; cat < /tmp/f; ls /nope 2>/dev/null; echo "s=$?"; ls /nope 2>&1 | sed_missing 2>/dev/null; ls /nope > /tmp/e 2>&1; cat /tmp/e; echo hidden >/dev/null; name=World; cat <<EOF\nHello $name\nEOF\ncat <<\'EOF\'\nraw $name\nEOF');
	assert.equal(run.stdout, 'one\ntwo\ns=1\nls: /nope: No such file or directory\nHello World\nraw $name\n');
});

test('unknown commands: sh: foo: not found, exit 127', async () => {
	const run = await sh('nosuchcmd arg; echo "s=$?"');
	assert.equal(run.stderr, 'sh: nosuchcmd: not found\n');
	assert.equal(run.stdout, 's=127\n');
});

test('set -e stops at the first failing command but not in conditions', async () => {
	const run = await sh('set -e; if false; then :; fi; false || echo handled; echo before; false; echo after');
	assert.equal(run.stdout, 'handled\nbefore\n');
	assert.equal(run.result.exitCode, 1);
});

test('export and env: exported variables reach child commands; prefix assignments are per command', async () => {
	const run = await sh('export A=1; B=2; C=3 env | grep -E "^(A|B|C)="; env | grep -c "^C="; sh -c \'echo "child A=$A B=$B"\'');
	assert.equal(run.stdout, 'A=1\nC=3\n0\nchild A=1 B=\n');
});

test('glob expansion matches files, sorted; no match keeps the pattern', async () => {
	const run = await sh('mkdir -p /tmp/g; touch /tmp/g/b.log /tmp/g/a.log /tmp/g/c.txt; echo /tmp/g/*.log; echo /tmp/g/*.none; echo "/tmp/g/*"');
	assert.equal(run.stdout, '/tmp/g/a.log /tmp/g/b.log\n/tmp/g/*.none\n/tmp/g/*\n');
});

test('background jobs with & and wait', async () => {
	const run = await sh('(sleep 0.1; echo bg) & echo fg; wait; echo done');
	assert.equal(run.stdout, 'fg\nbg\ndone\n');
});

test('read in a while loop consumes a pipe line by line', async () => {
	const run = await sh('printf "a 1\\nb 2\\n" | while read -r name n; do echo "$n=$name"; done');
	assert.equal(run.stdout, '1=a\n2=b\n');
});

test('syntax errors are reported, not thrown', async () => {
	const run = await sh('if then fi');
	assert.match(run.stderr, /^sh: syntax error/);
	assert.equal(run.result.exitCode, 2);
});

test('output streams live: a chunk arrives long before the script ends', async () => {
	const run = await sh('echo first; sleep 0.4; echo second');
	assert.equal(run.stdout, 'first\nsecond\n');
	const [first, second] = run.chunks;
	assert.ok(first && second, 'two chunks');
	assert.ok(second.at - first.at >= 300, `first chunk at ${first.at} ms, second at ${second.at} ms`);
});

test('unquoted expansions are globbed, quoted ones are not; several writers can share a pipe', async () => {
	const run = await sh('touch /tmp/a.log /tmp/b.log; p="/tmp/*.log"; echo $p; echo "$p"; { echo x & echo y; wait; } | sort');
	assert.equal(run.stdout, '/tmp/a.log /tmp/b.log\n/tmp/*.log\nx\ny\n');
});

test('hostname -i and /etc/hosts carry the pod IP; break outside a loop is ignored', async () => {
	const run = await sh('hostname -i; grep test-pod /etc/hosts; break; echo still');
	assert.equal(run.stdout, '10.244.0.7\n10.244.0.7\ttest-pod\nstill\n');
});
