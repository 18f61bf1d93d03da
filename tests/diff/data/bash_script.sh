# bash-static: functions, loops, pipes, $(...), arithmetic, arrays, read from a pipe.
set -u
PATH=/usr/bin:/bin
square() { local n=$1; echo $(( n * n )); }
for i in 1 2 3; do square $i; done
arr=(zero one two three)
echo "${#arr[@]} ${arr[2]} ${arr[*]:1:2}"
arr+=(four)
echo "last: ${arr[-1]}"
declare -A colour=([sky]=blue [grass]=green [sun]=yellow)
for k in $(printf '%s\n' "${!colour[@]}" | sort); do echo "$k=${colour[$k]}"; done
echo "arith: $(( (5 + 3) * 2 ** 3 % 7 )) $(( 0x1f )) $(( 7 / 2 ))"
declare -i n=10; n+=5; echo "n=$n"
sorted=$(printf '%s\n' c a b | sort | tr '\n' ' ')
echo "sorted: $sorted"
printf 'l1\nl2\nl3\n' | while read -r line; do echo "got $line"; done
read -r a b <<< "first second"; echo "$b $a"
s="Hello World"
echo "${s,,} | ${s^^} | ${s/World/There} | ${#s} | ${s:6}"
i=0; until (( i >= 3 )); do (( i++ )) || true; done; echo "until: $i"
[[ "abc" =~ ^a(b)c$ ]] && echo "regex group: ${BASH_REMATCH[1]}"
mapfile -t lines < <(seq 3); echo "mapfile: ${#lines[@]} lines"
false | true; echo "PIPESTATUS: ${PIPESTATUS[*]}"
( exit 5 ); echo "subshell: $?"
printf '%05.2f|%-5s|%x\n' 3.14159 ab 255
total=0
while read -r num; do total=$(( total + num )); done < <(seq 1 100)
echo "sum 1..100: $total"
out=$( { echo to-out; echo to-err >&2; } 2>&1 | wc -l ); echo "both streams: $out lines"
f() { return 4; }; f; echo "function status: $?"
echo "a subshell has its own BASHPID, the same \$\$: $( [ "$BASHPID" != "$$" ] && echo yes || echo no )"
sleep 0.01 & wait $!; echo "background sleep: $?"
coproc UPPER { tr a-z A-Z; }
echo "coprocess" >&"${UPPER[1]}"
exec {UPPER[1]}>&-
read -r up <&"${UPPER[0]}"; wait; echo "coproc: $up"
