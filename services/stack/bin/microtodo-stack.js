#!/usr/bin/env node
// npm links this file at install time, before dist/ is built.
import "../dist/main.js";
