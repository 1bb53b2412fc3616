-- Images in an analyst's Markdown cell or HTML output reach the PDF with their alt text.
--
-- Pandoc's Typst writer drops an image's description, and a PDF/UA-1 document refuses an image without
-- one, so this filter writes each image as Typst itself: `#box(image("file", alt: "description"))`. An
-- image with no description stops the build with a message saying how to give one (an undescribed
-- image is as much a gap in the HTML). An image given as data (a data: URI, as HTML outputs embed
-- them) is written into the PDF's working folder, named by its SHA-1, because Typst reads images from
-- files. The folder comes from the metadata field `gt-workdir`.

local workdir = nil

local function typst_string(s)
  s = s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\r', ''):gsub('\n', ' ')
  return '"' .. s .. '"'
end

local function written(src)
  if not src:match('^data:') then
    return src
  end
  local mime, contents = pandoc.mediabag.fetch(src)
  local ext = (mime or ''):match('^image/([%w]+)') or 'bin'
  if ext == 'jpeg' then ext = 'jpg' end
  local name = 'cell-image-' .. pandoc.utils.sha1(contents) .. '.' .. ext
  local file = assert(io.open(workdir .. '/' .. name, 'wb'))
  file:write(contents)
  file:close()
  return name
end

local function image(img)
  local alt = pandoc.utils.stringify(img.caption)
  if alt:match('^%s*$') then alt = img.title or '' end
  if alt:match('^%s*$') then
    error('goldenthread: an image (' .. img.src:sub(1, 40) .. ') has no alt text. Describe what it shows: '
      .. '![description](file) in Markdown, alt="description" in HTML')
  end
  local src = written(img.src)
  return pandoc.RawInline('typst', '#box(image(' .. typst_string(src) .. ', alt: ' .. typst_string(alt) .. '))')
end

return {
  { Meta = function(meta) workdir = pandoc.utils.stringify(meta['gt-workdir'] or '.') end },
  { Image = image },
}
