# Reads, and with TG_SET switches, Redmine's global Setting.text_formatting (the rendering tests
# switch the local Redmine to common_mark and back). Run through `scripts/redmine-local.sh runner`.
# Prints one line: TG_TEXT_FORMATTING=<the value now in force>
if (want = ENV['TG_SET'])
  unless want.empty? || Redmine::WikiFormatting.format_names.to_a.include?(want)
    raise "unknown text formatting '#{want}'"
  end
  Setting.text_formatting = want
end
puts "TG_TEXT_FORMATTING=#{Setting.text_formatting}"
