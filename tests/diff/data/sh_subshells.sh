# busybox sh: subshells, command substitution, exit statuses, functions; ends with exit 3.
start=$(pwd)
( cd /; pwd )
[ "$(pwd)" = "$start" ] && echo "cwd unchanged after the subshell"
x=$(echo a; echo b | wc -l)
echo "x=[$x]"
y=`echo backticks`
echo "$y"
nested=$(echo $(echo $(echo deep)))
echo "$nested"
false || echo "false || ok"
true && echo "true && ok"
( exit 3 ); echo "subshell status $?"
sh -c 'exit 4'; echo "sh -c status $?"
busybox sh -c 'kill -TERM $$'; echo "killed sh status $?"
{ echo one; echo two; } | wc -l
if ( false ); then echo "if: then"; else echo "if: else"; fi
echo "arith $(( 6 * 7 )) $(( 17 % 5 )) $(( (1 << 10) - 1 ))"
var=outer
( var=inner; echo "in subshell: $var" )
echo "after subshell: $var"
f() { echo "function got [$1] [$2]"; return 2; }
f "arg one" two; echo "function status $?"
count=0
for w in $(echo "w1 w2 w3"); do count=$((count + 1)); done
echo "words $count"
exit 3
