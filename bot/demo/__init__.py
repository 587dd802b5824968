"""`joinedup demo`: the real app driven step by step against the stand-in, shown as each person sees it."""
