"""The book's sources as data, and d2l.py made from them."""
