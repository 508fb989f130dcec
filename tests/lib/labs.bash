# labs.bash: what `make lab` and `make grade` share: the chapters of a tree, the tests of a
# chapter with their points, and the lab tree (a copy of the repository in which chapter NN's
# folder holds chapter NN-1's code). Sourced by tests/lib/lab, tests/lib/grade and
# tests/lib/labs-check. Nothing here knows a chapter by name: a new chNN-* folder is covered.
# shellcheck shell=bash

# chapter_folders ROOT: the chapter folders of a tree (chNN-topic), in order.
chapter_folders() {
	local d
	for d in "$1"/ch[0-9][0-9]-*/; do
		if [[ -d $d ]]; then basename "$d"; fi
	done
}

# chapter_number chNN...: NN as a decimal number (ch06, ch06-overlay, ch06_tar_test.c -> 6).
chapter_number() {
	local n=${1#ch}
	echo $((10#${n:0:2}))
}

# chapter_folder ROOT chNN: chapter NN's folder (chNN-topic); fails if there is none.
chapter_folder() {
	local d
	for d in $(chapter_folders "$1"); do
		if [[ ${d%%-*} == "$2" ]]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# previous_folder ROOT chNN: the chapter folder before chNN's; fails for the first chapter.
previous_folder() {
	local d prev=""
	for d in $(chapter_folders "$1"); do
		if [[ ${d%%-*} == "$2" ]]; then
			[[ -n $prev ]] || return 1
			echo "$prev"
			return 0
		fi
		prev=$d
	done
	return 1
}

# test_files ROOT chNN: the test files of chapters up to NN (tests/chMM-*.bats with MM <= NN),
# relative to ROOT, in order: chapter NN is graded on them all.
test_files() {
	local f max
	max=$(chapter_number "$2")
	for f in "$1"/tests/ch[0-9][0-9]-*.bats; do
		[[ -f $f ]] || continue
		if (($(chapter_number "$(basename "$f")") <= max)); then echo "tests/$(basename "$f")"; fi
	done
}

# The lines bats itself reads (its preprocessor's patterns): a test, and a tag comment. A test's
# points are the tag points:N on a "# bats test_tags=" line above it; without one it is worth 1.
LABS_TEST_LINE='^[[:blank:]]*@test[[:blank:]]+(.*[^[:blank:]])[[:blank:]]+\{(.*)$'
LABS_TAGS_LINE='^[[:blank:]]*#[[:blank:]]*bats[[:blank:]]+test_tags=(.*)$'

# list_tests FILE: one line "POINTS<TAB>NAME" per test of a bats file, in file order. NAME is
# the text between the quotes, which is what `bats --filter` matches.
list_tests() {
	local file=$1 line name tag points=1 lineno=0
	local -a tags
	while IFS= read -r line; do
		lineno=$((lineno + 1))
		if [[ $line =~ $LABS_TAGS_LINE ]]; then
			IFS=', ' read -ra tags <<<"${BASH_REMATCH[1]}"
			for tag in "${tags[@]}"; do
				[[ $tag == points:* ]] || continue
				points=${tag#points:}
				if [[ ! $points =~ ^[0-9]{1,4}$ ]]; then
					echo "$file:$lineno: points must be a whole number: $tag" >&2
					return 1
				fi
			done
		elif [[ $line =~ $LABS_TEST_LINE ]]; then
			name=${BASH_REMATCH[1]#[\'\"]}
			name=${name%[\'\"]}
			printf '%s\t%s\n' "$((10#$points))" "$name"
			points=1
		fi
	done <"$file"
}

# sample_tests FILE N: the names of the first N tests of FILE that are not guards, one a line.
# A guard ("# guard: REASON" among the comment lines right above its @test, as tests/run reads
# it) may pass on the chapter before; every other test of a chapter's own file fails there
# (tests/run's gate), so a lab, which is that code, cannot pass a sample of them.
sample_tests() {
	local file=$1 n=$2 line name guard=0 count=0
	while ((count < n)) && IFS= read -r line; do
		if [[ $line =~ $LABS_TEST_LINE ]]; then
			if ((!guard)); then
				name=${BASH_REMATCH[1]#[\'\"]}
				printf '%s\n' "${name%[\'\"]}"
				count=$((count + 1))
			fi
			guard=0
		elif [[ $line =~ ^[[:blank:]]*# ]]; then
			if [[ $line =~ ^[[:blank:]]*#[[:blank:]]*guard: ]]; then guard=1; fi
		else
			guard=0
		fi
	done <"$file"
}

# exact_filter NAME: a `bats --filter` regular expression that matches NAME and nothing else.
exact_filter() {
	# shellcheck disable=SC2001  # bash's ${//} has no "&" before 5.2
	printf '^%s$' "$(sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1")"
}

# copy_repo SRC DEST: the files git knows in SRC (tracked, and new ones not ignored), as they
# are in the working tree, copied to DEST. Build output and ignored files never come along.
copy_repo() {
	local src=$1 dest=$2
	if ! git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
		echo "$src is not a git checkout: git says which files belong to the repository" >&2
		return 1
	fi
	mkdir -p "$dest"
	(
		cd "$src" || exit
		git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do
				# Deleted but still tracked: skip. A nested repository (a lab tree) shows as a
				# directory: skip it too.
				if [[ (-e $f || -L $f) && ! -d $f ]]; then printf '%s\0' "$f"; fi
			done |
			tar --null --no-recursion -T - -cf -
	) | tar -xf - -C "$dest"
}

# make_lab_tree SRC chNN DEST: the starting tree of chapter NN's lab, from the repository SRC.
# Every chapter folder after NN goes (each is complete, so it holds NN's solution), and with
# them the pages, figures and patches from NN on (they walk through the solution), the test
# files after NN and the unit tests from NN on (they call the solution's own functions).
# Chapter NN's folder then holds a copy of chapter NN-1's folder (the first chapter's is empty).
make_lab_tree() {
	local src=$1 ch=$2 dest=$3 own prev num f
	own=$(chapter_folder "$src" "$ch")
	prev=$(previous_folder "$src" "$ch") || prev=""
	num=$(chapter_number "$ch")
	copy_repo "$src" "$dest"
	for f in "$dest"/ch[0-9][0-9]-* "$dest"/tests/ch[0-9][0-9]-*.bats; do
		if [[ -e $f ]] && (($(chapter_number "$(basename "$f")") > num)); then rm -rf "$f"; fi
	done
	for f in "$dest"/book/ch[0-9][0-9]-* "$dest"/book/patches/ch[0-9][0-9]-* \
		"$dest"/book/figures/ch[0-9][0-9]-* "$dest"/tests/unit/ch[0-9][0-9]_*; do
		if [[ -e $f ]] && (($(chapter_number "$(basename "$f")") >= num)); then rm -rf "$f"; fi
	done
	rm -rf "${dest:?}/$own"
	if [[ -n $prev ]]; then cp -a "$dest/$prev" "$dest/$own"; else mkdir "$dest/$own"; fi
}
