# Renders texts as Redmine shows them: Redmine::WikiFormatting.to_html, the formatter behind every
# description and note. Run by the rendering tests through `scripts/redmine-local.sh runner`.
#   TG_IN       a JSON file {"name": "text", ...}
#   TG_FORMATS  formats to render each text in, e.g. "textile,common_mark"
# Prints one line: TG_RENDERED {"name": {"textile": "<p>...</p>", ...}, ...}
require 'json'

texts = JSON.parse(File.read(ENV.fetch('TG_IN'), encoding: 'UTF-8'))
formats = ENV.fetch('TG_FORMATS').split(',')
known = Redmine::WikiFormatting.format_names.to_a
missing = formats - known
raise "this Redmine has no formatter #{missing.join(', ')} (it has #{known.join(', ')})" if missing.any?

out = texts.transform_values do |text|
  formats.to_h { |format| [format, Redmine::WikiFormatting.to_html(format, text).to_s] }
end
puts "TG_RENDERED #{JSON.generate(out)}"
