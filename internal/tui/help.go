package tui

func helpText() string {
	return `emmdev status — keys

  ↑/↓  k/j          move
  PgUp/PgDn         page up / down (also ctrl+b / ctrl+f, space)
  g / G             first / last pod
  /                 filter (live; matches name, app, status, node, cause); enter keeps, esc clears
  esc               clear the filter
  s / S             cycle the sort column / reverse it
  A N T R Y O       sort by app, name, status, restarts, age, node (again: reverse)
  enter             details: containers, last termination, limits, recent events
  ?                 this help (esc returns)
  q, ctrl+c         quit

  ↑ in the left margin: the pod's restart count rose since this screen opened.
  The header's "restarts since start" adds those restarts up.
  The screen redraws only when the cluster changes or you press a key;
  ages refresh with the next change.`
}
