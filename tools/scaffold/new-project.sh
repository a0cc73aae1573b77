#!/usr/bin/env bash
# Scaffolds an Nx project: tools/scaffold/new-project.sh <apps|libs> <name> <tags,comma,separated>
set -euo pipefail
kind=$1 name=$2 tags=$3
dir="$kind/$name"
mkdir -p "$dir/src"
tag_json=$(printf '%s' "$tags" | awk -F, '{for(i=1;i<=NF;i++) printf "%s\"%s\"", (i>1?", ":""), $i}')
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "$([ "$kind" = apps ] && echo application || echo library)",
  "tags": [$tag_json],
  "targets": {
    "test": { "executor": "nx:run-commands", "options": { "command": "jest -c $dir/jest.config.js" } },
    "lint": { "executor": "nx:run-commands", "options": { "command": "eslint $dir --max-warnings 0" } }
  }
}
JSON
cat > "$dir/jest.config.js" <<JS
module.exports = { ...require('../../jest.preset.js'), displayName: '$name', rootDir: __dirname };
JS
