# busybox sh: here-documents, background jobs, wait, traps.
cat <<END
here-doc line $((1 + 1))
END
cat <<'END'
quoted here-doc keeps $HOME and $(date)
END
tr a-z A-Z <<END | sort
banana
apple
END
sleep 0.05 &
p1=$!
( exit 7 ) &
p2=$!
wait $p2; echo "background subshell status $?"
wait $p1; echo "background sleep status $?"
d=$(mktemp -d)
for i in 3 1 2; do ( sleep 0.0$i; echo "job $i finished" > "$d/$i" ) & done
wait
cat "$d/1" "$d/2" "$d/3"
rm -rf "$d"
sleep 10 &
victim=$!
kill $victim
wait $victim; echo "killed background job status $?"
trap 'echo "trapped USR1"' USR1
kill -USR1 $$
echo "after USR1"
trap 'echo "EXIT trap runs last"' EXIT
echo "end of script"
