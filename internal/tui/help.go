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
  C M L             sort by CPU, memory, memory as % of the limit (biggest first)
  enter             details: containers, last termination, limits, usage, recent events,
                    and the log of the container that last restarted, following
    j/k PgUp/PgDn   in details: scroll the log (G follows the end again, g its start)
    p               the previous container's last lines (the crash's last words); p again: current
    c               next container;  r reopen the log;  / search the log;  J/K scroll the info
  ?                 this help (esc returns)
  q, ctrl+c         quit

  ↑ in the left margin: the pod's restart count rose since this screen opened.
  The header's "restarts since start" adds those restarts up.
  CPU and MEM come from the metrics API (metrics-server), refreshed every
  10s; %CPU/L and %MEM/L are usage as a share of the limit (n/a without one),
  and "!" marks memory above 90% of a container's limit. Without the metrics
  API the columns are hidden and the header says why.
  The screen redraws only when the cluster changes or you press a key;
  ages refresh with the next change.`
}
