#!/bin/sh
# Would prove the command ran, and keep what it was given.
env > '{{MARKERS}}/evil-ran'
