"""The window node (hall-rater): the clerk's call keypad (呼叫器) and the citizen's rating pad
(评价器) of one window, wired to the hub. See docs/rater.md."""
